import pytest

from lrukit import LRUCache


def test_rejects_zero_size():
    with pytest.raises(ValueError):
        LRUCache(0)


def test_put_and_get():
    cache = LRUCache(2)
    cache.put("a", 1)
    assert cache.get("a") == 1
    assert cache.get("zzz", "dflt") == "dflt"


def test_evicts_oldest_insert():
    cache = LRUCache(2)
    cache["a"] = 1
    cache["b"] = 2
    cache["c"] = 3
    assert "a" not in cache
    assert list(cache) == ["b", "c"]


def test_get_refreshes_recency():
    cache = LRUCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.get("a")
    cache.put("c", 3)
    assert list(cache) == ["a", "c"]


def test_update_refreshes_recency():
    cache = LRUCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.put("a", 10)
    cache.put("c", 3)
    assert list(cache) == ["a", "c"]
    assert cache.peek("a") == 10


def test_stats_and_evict_callback():
    evicted = []
    cache = LRUCache(1, on_evict=lambda k, v: evicted.append((k, v)))
    cache.put("x", 1)
    cache.get("x")
    cache.get("y")
    cache.put("y", 2)
    assert evicted == [("x", 1)]
    assert (cache.stats.hits, cache.stats.misses, cache.stats.evictions) == (1, 1, 1)
    assert cache.stats.hit_rate == 0.5


def test_getitem_missing_raises():
    with pytest.raises(KeyError):
        LRUCache(1)["nope"]


def test_delete():
    cache = LRUCache(3)
    cache.put("a", 1)
    assert cache.delete("a") is True
    assert cache.delete("a") is False
    assert len(cache) == 0
