from lrukit import lru_memoize


def test_memoizes_calls():
    calls = []

    @lru_memoize(maxsize=4)
    def square(x):
        calls.append(x)
        return x * x

    assert square(3) == 9
    assert square(3) == 9
    assert calls == [3]


def test_kwargs_are_part_of_key():
    @lru_memoize()
    def join(a, sep="-"):
        return sep.join(a)

    assert join("ab") == "a-b"
    assert join("ab", sep="+") == "a+b"
    join.cache_clear()
    assert len(join.cache) == 0
