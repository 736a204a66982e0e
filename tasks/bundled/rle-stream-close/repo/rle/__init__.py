"""Run-length encoding of text: ``"aaab"`` <-> ``"3a1b"``."""

from .codec import decode, encode, iter_runs
from .stream import StreamEncoder

__all__ = ["encode", "decode", "iter_runs", "StreamEncoder"]
