import pytest

from semverlite import Version


def test_parse_full():
    v = Version.parse("v1.2.3-beta.2+build.7")
    assert (v.major, v.minor, v.patch) == (1, 2, 3)
    assert v.prerelease == ("beta", "2")
    assert str(v) == "1.2.3-beta.2+build.7"


@pytest.mark.parametrize("text", ["1.2", "01.2.3", "1.2.3.4", ""])
def test_parse_invalid(text):
    with pytest.raises(ValueError):
        Version.parse(text)


def test_prerelease_ordering():
    ordered = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0"]
    parsed = [Version.parse(t) for t in ordered]
    assert sorted(reversed(parsed)) == parsed


def test_build_metadata_ignored_in_equality():
    assert Version.parse("1.0.0+a") == Version.parse("1.0.0+b")
