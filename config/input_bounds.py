"""The domain bounds of what a user can type: every number inside its column on both databases
(an unbounded integer of 2^63 crashed the save; 2^31 fits SQLite but not a PostgreSQL `integer`),
every date in a sane window. Forms, services and models share these; the models back them with
CHECK constraints.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

EARLIEST_DATE = datetime.date(2000, 1, 1)
# How far ahead a planned date may lie (a phase of next year's project).
FUTURE_YEARS = 2
# A CHECK constraint cannot ask for today: the database holds this fixed outer window and the
# forms and services the moving one (EARLIEST_DATE .. today + FUTURE_YEARS, or .. today).
LATEST_STORED_DATE = datetime.date(2100, 12, 31)

BENEFICIARIES_MAX = 100_000  # 受益人数 of one activity
# 活动时长 of one log: a log is dated by its first day, but some cover a run of days (the demo's
# 社区健康驿站值守 logs 96 and 80 hours), so the bound is 24 hours × 31 days rather than one day.
ACTIVITY_HOURS_MAX = Decimal(24 * 31)
INDICATOR_VALUE_MAX = Decimal(10_000_000)  # 完成值 / 目标值, e.g. 字 of a pupils' book or 册 donated
WORD_COUNT_MAX = 10_000_000  # 字数 of a pupils' work
POSITION_MAX = 1_000  # the sort position of a catalogue entry
SCORE_MAX = 100  # 满分 of a rubric criterion


def latest_date() -> datetime.date:
    today = timezone.localdate()
    try:
        return today.replace(year=today.year + FUTURE_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year + FUTURE_YEARS, day=28)


def date_window_error(value: datetime.date, *, past_only: bool) -> str | None:
    """The Chinese refusal of a date outside the window, or None when it is inside."""
    if value < EARLIEST_DATE:
        return _("日期不能早于 %(date)s。") % {"date": EARLIEST_DATE.isoformat()}
    if past_only and value > timezone.localdate():
        return _("日期不能晚于今天。")
    latest = latest_date()
    if value > latest:
        return _("日期不能晚于 %(date)s。") % {"date": latest.isoformat()}
    return None


@deconstructible
class DateWindowValidator:
    """2000-01-01 .. today + 2 years, or .. today where only the past is meant."""

    def __init__(self, past_only: bool = False) -> None:
        self.past_only = past_only

    def __call__(self, value: datetime.date) -> None:
        if isinstance(value, datetime.date) and (message := date_window_error(value, past_only=self.past_only)):
            raise ValidationError(message, code="date_window")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DateWindowValidator) and other.past_only == self.past_only


def stored_date_window(field: str) -> Q:
    """The fixed window a CHECK constraint holds a date column to."""
    return Q(**{f"{field}__gte": EARLIEST_DATE, f"{field}__lte": LATEST_STORED_DATE})
