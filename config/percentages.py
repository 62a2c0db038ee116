"""One rounding rule for every percentage the portal shows: one decimal, half up.

The project page, the dashboards, the assessment, the reports and `project_stats` all go
through `percent`, so 2 of 3 reads 66.7 % everywhere (never 66 % on one page and 66.7 % on
another).
"""

from decimal import ROUND_HALF_UP, Decimal

_TENTH = Decimal("0.1")


def percent(part: Decimal | int | float | None, whole: Decimal | int | float | None) -> float | None:
    """``part / whole`` in percent with one decimal (half up), None when there is no whole."""
    if not whole:
        return None
    if type(part) is int and type(whole) is int and part >= 0 and whole > 0:
        # Counts: half up to one decimal in integers, as the decimal way below rounds them.
        tenths = (part * 2000 + whole) // (2 * whole)
        return tenths / 10
    ratio = Decimal(str(part or 0)) * 100 / Decimal(str(whole))
    return float(ratio.quantize(_TENTH, rounding=ROUND_HALF_UP))
