"""Timing and result records shared by the benchmarks in bench/run.py.

Every benchmark is measured side by side with its floor in the same process run, so that a
noisy machine slows both alike; what is reported is the median of the repeats and the ratio.
"""

import gc
import statistics
import time
from collections.abc import Callable
from typing import Any


def interleaved_medians(works: dict[str, Callable[[], Any]], *, repeats: int, warmup: int = 1) -> dict[str, float]:
    """Medians of several pieces of work timed in turn (a, b, a, b, ...), so drift hits all alike."""
    for _ in range(warmup):
        for work in works.values():
            work()
    timings: dict[str, list[float]] = {name: [] for name in works}
    for _ in range(repeats):
        for name, work in works.items():
            gc.collect()
            started = time.perf_counter()
            work()
            timings[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in timings.items()}


def ratio_result(
    name: str, *, median: float, floor: float | None, goal: float | None, unit: str = "s", **extra: Any
) -> dict[str, Any]:
    """One benchmark's record: median, floor, their ratio and whether the goal (max ratio) is met."""
    ratio = round(median / floor, 2) if floor else None
    return {
        "name": name,
        "median_" + unit: round(median, 4),
        "floor_" + unit: round(floor, 4) if floor is not None else None,
        "ratio": ratio,
        "goal_ratio": goal,
        "met": None if goal is None or ratio is None else ratio <= goal,
        **extra,
    }
