class ConfigError(ValueError):
    """Raised for malformed input or bad typed lookups."""

    def __init__(self, message: str, lineno: int | None = None):
        if lineno is not None:
            message = f"line {lineno}: {message}"
        super().__init__(message)
        self.lineno = lineno
