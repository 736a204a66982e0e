"""Starts pytest so that nothing in the work tree can stand in for it or for the guard.

Run as `python -s /opt/solver/solver_runner.py module|script ARGS`: sys.path[0] is this
root-owned folder, so pytest, pluggy and solver_guard are imported from the environment before
the work tree is on sys.path; only then is the current directory put first, as `python -m pytest`
does ("module"), or left off, as the `pytest` script does ("script"). A module the candidate adds
under the name of one already imported is never used; new top-level modules that shadow installed
ones are refused before the run (driver).
"""

import hashlib  # noqa: F401  (pytest imports it lazily, after collection starts)
import json  # noqa: F401
import os
import sys
import xml.etree.ElementTree  # noqa: F401

import pytest
import solver_guard  # type: ignore[import-not-found]  # noqa: F401


def main():
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "module":
        sys.path.insert(0, os.getcwd())
    sys.argv = ["pytest", *args]
    raise SystemExit(pytest.main(args))


if __name__ == "__main__":
    main()
