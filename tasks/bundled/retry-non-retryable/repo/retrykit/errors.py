class RetryError(Exception):
    """All attempts failed; ``last`` is the final exception, ``attempts`` the count."""

    def __init__(self, attempts: int, last: BaseException):
        super().__init__(f"gave up after {attempts} attempts: {last!r}")
        self.attempts = attempts
        self.last = last
