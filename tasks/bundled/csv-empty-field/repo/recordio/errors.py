class RecordError(ValueError):
    """A record could not be read; carries the 1-based line number."""

    def __init__(self, message: str, line: int, field: str | None = None):
        where = f"line {line}" + (f", field {field!r}" if field else "")
        super().__init__(f"{where}: {message}")
        self.line = line
        self.field = field
