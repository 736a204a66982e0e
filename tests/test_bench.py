"""The sandbox benchmark runs end to end and reports its figures (no speed is asserted here:
speed goals live in `solver bench sandbox`, not in timed unit tests)."""

import anyio
import pytest

from sandbox.bench import run_bench

pytestmark = pytest.mark.docker


def test_bench_reports_the_three_figures(docker_client):
    figures = anyio.run(lambda: run_bench(lambda _: None, count=4, parallel=2))
    for key in ("overhead_median_s", "naive_ratio", "parallel_speedup"):
        assert isinstance(figures[key], float)
        assert figures[key] > 0
    assert figures["naive_overhead_median_s"] > figures["overhead_median_s"]
