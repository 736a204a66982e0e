from urlkit import build_url, join_path


def test_join_path():
    assert join_path("/api/", "/v1", "users/") == "/api/v1/users"


def test_build_url_path_and_params():
    url = build_url("https://example.com/api", "items", {"page": 2})
    assert url == "https://example.com/api/items?page=2"


def test_build_url_merges_existing_query():
    assert build_url("http://x.org/?a=1", params={"b": 2}) == "http://x.org/?a=1&b=2"


def test_build_url_fragment():
    assert build_url("http://x.org", fragment="top") == "http://x.org#top"


def test_build_url_escapes_slash():
    url = build_url("https://auth.example.com", "/login", {"redirect_uri": "https://app.example.com/cb"})
    assert url == "https://auth.example.com/login?redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb"
