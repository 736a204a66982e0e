class LexError(SyntaxError):
    """Invalid input; ``line`` and ``col`` are 1-based."""

    def __init__(self, message: str, line: int, col: int):
        super().__init__(f"{line}:{col}: {message}")
        self.line = line
        self.col = col
