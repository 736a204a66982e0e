"""Read delimited text records into typed dictionaries."""

from .errors import RecordError
from .reader import read_records, split_line
from .schema import Field, Schema

__all__ = ["Field", "Schema", "RecordError", "read_records", "split_line"]
