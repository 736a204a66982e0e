import pytest

from semverlite import max_satisfying, satisfies


@pytest.mark.parametrize(
    ("version", "spec", "expected"),
    [
        ("1.5.0", ">=1.2.0 <2.0.0", True),
        ("2.0.0", ">=1.2.0 <2.0.0", False),
        ("1.2.9", "^1.2.3", True),
        ("2.0.0", "^1.2.3", False),
        ("0.2.5", "^0.2.3", True),
        ("0.3.0", "^0.2.3", False),
        ("1.2.7", "~1.2.0", True),
        ("1.3.0", "~1.2.0", False),
        ("3.1.0", "<1.0.0 || >=3.0.0", True),
    ],
    ids=["range-inside", "range-upper-excluded", "caret-inside", "caret-next-major",
         "caret-zero-major", "caret-zero-next-minor", "tilde-inside", "tilde-next-minor",
         "alternatives"],
)
def test_satisfies(version, spec, expected):
    assert satisfies(version, spec) is expected


def test_satisfies_inclusive_upper():
    assert satisfies("2.0.0", "<=2.0.0")


def test_max_satisfying():
    assert max_satisfying(["1.0.0", "1.4.2", "2.0.0"], "^1.0.0") == "1.4.2"
    assert max_satisfying(["0.1.0"], ">=1.0.0") is None
