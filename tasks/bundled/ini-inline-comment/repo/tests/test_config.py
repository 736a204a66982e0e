import pytest

from iniconf import Config, ConfigError

TEXT = """
[DEFAULT]
timeout = 30
[db]
port = 5432
enabled = on
hosts = a, b ,c
"""


def test_get_with_default_fallback():
    cfg = Config.from_string(TEXT)
    assert cfg.getint("db", "timeout") == 30
    assert cfg.get("db", "missing", "x") == "x"


def test_typed_getters():
    cfg = Config.from_string(TEXT)
    assert cfg.getint("db", "port") == 5432
    assert cfg.getbool("db", "enabled") is True
    assert cfg.getlist("db", "hosts") == ["a", "b", "c"]


def test_bad_bool():
    cfg = Config.from_string("[x]\nflag = maybe\n")
    with pytest.raises(ConfigError):
        cfg.getbool("x", "flag")


def test_missing_section():
    with pytest.raises(ConfigError):
        Config.from_string(TEXT).get("nope", "port")


def test_getbool_with_inline_comment():
    cfg = Config.from_string("[server]\ndebug = yes    # TODO turn off\n")
    assert cfg.getbool("server", "debug") is True
