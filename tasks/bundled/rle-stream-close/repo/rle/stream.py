"""Incremental encoding of text that arrives in chunks."""

from __future__ import annotations

from .codec import DEFAULT_MAX_RUN, format_run


class StreamEncoder:
    """Encode text fed in arbitrary chunks.

    ``feed`` returns the runs that are complete so far; a run may continue
    into the next chunk, so the last one is held back until :meth:`close`.
    The concatenation of all returned strings equals ``encode(whole_text)``.
    """

    def __init__(self, max_run: int = DEFAULT_MAX_RUN):
        if max_run < 1:
            raise ValueError("max_run must be at least 1")
        self.max_run = max_run
        self._char: str | None = None
        self._count = 0
        self._closed = False

    def feed(self, chunk: str) -> str:
        if self._closed:
            raise ValueError("encoder is closed")
        out = []
        for ch in chunk:
            if ch == self._char and self._count < self.max_run:
                self._count += 1
                continue
            if self._char is not None:
                out.append(format_run(self._char, self._count))
            self._char, self._count = ch, 1
        return "".join(out)

    def close(self) -> str:
        """Flush the pending run and refuse further input."""
        out = ""
        self._char, self._count = None, 0
        self._closed = True
        return out
