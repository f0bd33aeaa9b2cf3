"""How `make bench` adds up its turns: the figures in the issue note come from this arithmetic."""

from bench.__main__ import in_turns
from bench.loadgen import LoadResult
from bench.wrk import WrkResult


def test_wrk_runs_add_up_requests_time_and_every_latency():
    first = WrkResult(requests=10, seconds=2.0, errors=0, latency_counts={1_000: 9, 30_000: 1})
    second = WrkResult(requests=10, seconds=2.0, errors=1, latency_counts={2_000: 9, 60_000: 1})
    both = first + second
    assert (both.requests, both.seconds, both.errors, both.rps) == (20, 4.0, 1, 5.0)
    # 20 responses: the 19th slowest of 20 by nearest rank is 30 ms, not either run's own p95.
    assert both.percentile_ms(95) == 30.0
    assert both.percentile_ms(100) == 60.0
    assert first.percentile_ms(50) == 1.0


def test_python_generator_runs_add_up_the_same_way():
    both = LoadResult("/x", 1.0, [0.001] * 19 + [0.05], 0) + LoadResult("/x", 1.0, [0.002] * 20, 2)
    assert (both.requests, both.seconds, both.errors, both.rps) == (40, 2.0, 2, 20.0)
    assert both.percentile_ms(95) == 2.0


def test_pages_are_measured_in_turns_with_a_warm_up_only_before_the_first():
    calls = []

    def measure(path, seconds, warmup):
        calls.append((path, warmup))
        return LoadResult(path, seconds, [0.001] * (len(calls)), 0)

    totals = in_turns(measure, {"bare": "/bare", "picker": "/picker"}, rounds=3, seconds=1.0)
    assert [path for path, _ in calls] == ["/bare", "/picker"] * 3
    assert [warmup > 0 for _, warmup in calls] == [True, True, False, False, False, False]
    assert totals["bare"].requests == 1 + 3 + 5 and totals["picker"].requests == 2 + 4 + 6
    assert totals["bare"].seconds == 3.0
