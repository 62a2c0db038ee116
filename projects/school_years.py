"""School years: a school year runs from 1 September to 31 August and is named ``"2024-2025"``."""

import datetime


def school_year_of(day: datetime.date) -> str:
    """The school year a date falls in; a school year runs from September to August."""
    start = day.year if day.month >= 9 else day.year - 1
    return f"{start}-{start + 1}"


def school_year_bounds(school_year: str) -> tuple[datetime.date, datetime.date]:
    """First and last day of a school year such as ``"2024-2025"``."""
    start = int(school_year[:4])
    return datetime.date(start, 9, 1), datetime.date(start + 1, 8, 31)


def school_year_months(school_year: str) -> list[datetime.date]:
    """The first day of each of the school year's twelve months, September first."""
    start = int(school_year[:4])
    return [datetime.date(start + (month < 9), month, 1) for month in (*range(9, 13), *range(1, 9))]


def normalise_school_year(raw: str) -> str:
    """``"2024"`` or ``"2024-2025"`` → ``"2024-2025"``; ValueError for anything else."""
    raw = raw.strip()
    start = raw[:4]
    if not start.isdigit() or raw not in (start, f"{start}-{int(start) + 1}"):
        raise ValueError(f"not a school year: {raw!r}")
    return f"{start}-{int(start) + 1}"


def date_in_school_year(school_year: str, today: datetime.date) -> datetime.date:
    """A form's default date for the school year: today while it runs, else its nearest day to today."""
    start, end = school_year_bounds(school_year)
    return min(max(today, start), end)


def school_years_to_apply_for(today: datetime.date, keep: str = "") -> list[str]:
    """The school years an application can be written for, newest first: this one and the next,
    and ``keep`` (the year an application being edited already has) when it is another one."""
    start = int(school_year_of(today)[:4])
    years = {f"{start}-{start + 1}", f"{start + 1}-{start + 2}"}
    if keep:
        years.add(keep)
    return sorted(years, reverse=True)
