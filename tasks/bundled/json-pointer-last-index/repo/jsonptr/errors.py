class PointerError(LookupError):
    """The pointer is malformed or does not resolve in the document."""

    def __init__(self, pointer: str, message: str):
        super().__init__(f"{pointer}: {message}")
        self.pointer = pointer
