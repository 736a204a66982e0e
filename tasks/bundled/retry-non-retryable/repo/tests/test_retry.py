import pytest

from retrykit import Backoff, RetryError, call_with_retry, retry


class Flaky:
    def __init__(self, failures, exc=TimeoutError):
        self.failures = failures
        self.exc = exc
        self.calls = 0

    def __call__(self):
        self.calls += 1
        if self.calls <= self.failures:
            raise self.exc(f"failure {self.calls}")
        return "ok"


def test_succeeds_after_retries():
    sleeps = []
    f = Flaky(2)
    assert call_with_retry(f, attempts=3, backoff=Backoff(base=1), sleep=sleeps.append) == "ok"
    assert f.calls == 3
    assert sleeps == [1, 2]


def test_gives_up():
    f = Flaky(10)
    with pytest.raises(RetryError) as info:
        call_with_retry(f, attempts=4, sleep=lambda s: None)
    assert info.value.attempts == 4
    assert isinstance(info.value.last, TimeoutError)
    assert f.calls == 4


def test_on_retry_hook():
    seen = []
    call_with_retry(Flaky(1), sleep=lambda s: None, on_retry=lambda a, e, d: seen.append(a))
    assert seen == [1]


def test_decorator_passes_arguments():
    @retry(attempts=2, sleep=lambda s: None)
    def add(a, b=1):
        return a + b

    assert add(2, b=3) == 5
    assert add.__name__ == "add"


def test_non_retryable_raises_immediately():
    f = Flaky(10, exc=ValueError)
    with pytest.raises(ValueError):
        call_with_retry(f, retry_on=(TimeoutError,), attempts=5, sleep=lambda s: None)
    assert f.calls == 1


def test_invalid_attempts():
    with pytest.raises(ValueError):
        call_with_retry(lambda: 1, attempts=0)
