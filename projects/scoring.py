"""The arithmetic of review scores: weighted totals and the statistics over reviewers."""

import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

TWO_PLACES = Decimal("0.01")


def weighted_total(scores: Mapping[int, Decimal], criteria: Iterable) -> Decimal:
    """A sheet's total on 0–100: each score as a share of its maximum, weighted.

    total = 100 × Σ(weight × score / max) / Σ weight
    """
    numerator = Decimal(0)
    weights = Decimal(0)
    for criterion in criteria:
        numerator += Decimal(criterion.weight) * Decimal(scores[criterion.pk]) / Decimal(criterion.max_score)
        weights += Decimal(criterion.weight)
    if weights == 0:
        return Decimal(0)
    return (Decimal(100) * numerator / weights).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ScoreSummary:
    count: int
    mean: Decimal | None
    median: Decimal | None
    spread: Decimal | None  # highest minus lowest total

    @classmethod
    def of(cls, totals: Iterable[Decimal]) -> "ScoreSummary":
        values = sorted(Decimal(value) for value in totals)
        if not values:
            return cls(count=0, mean=None, median=None, spread=None)
        mean = (sum(values) / len(values)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
        median = Decimal(statistics.median(values)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
        return cls(count=len(values), mean=mean, median=median, spread=values[-1] - values[0])
