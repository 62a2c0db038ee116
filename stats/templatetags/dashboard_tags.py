"""The dashboards' data tables, written in Python (and the district comparison's table body).

A committee dashboard shows several hundred cells (the target completion table alone has a row per
target of every project); through the template engine they were most of the page's time. The
markup is the one ``_dashboard_table.html`` used to produce, values localised and escaped the
same way as ``{{ value }}``.
"""

import html
from collections.abc import Callable
from typing import Any

from django import template
from django.conf import settings
from django.template.base import render_value_in_context
from django.utils.formats import get_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext

from stats.district_selectors import DistrictComparison
from stats.view_models import Cell, Table

register = template.Library()


def _text_writer(context: template.Context) -> Callable[[Any], str]:
    """What ``{{ value }}`` writes for a value, in this context."""
    # Without digit grouping and with "." as the decimal mark, localising a number is str() (what
    # django.utils.numberformat does then, minus exponent notation): the tables' hundreds of figures
    # skip the per-value format look-ups.
    plain_numbers = not settings.USE_THOUSAND_SEPARATOR and get_format("DECIMAL_SEPARATOR") == "."

    def text(value) -> str:
        """``{{ value }}``: plain text is only escaped (as ``escape`` does); numbers are localised first."""
        kind = type(value)
        if kind is str:
            return html.escape(value)
        if plain_numbers and (kind is int or kind is float):
            written = str(value)
            if written[-1].isdigit() and "e" not in written:
                return written
        return render_value_in_context(value, context)

    return text


@register.simple_tag(takes_context=True)
def dashboard_table(context: template.Context, table: Table, testid: str) -> SafeString:
    """The table of a chart (or of the projects), one ``row-<testid>`` per row."""
    text = _text_writer(context)

    def linked(link: str | None, inner: str) -> str:
        return f'<a href="{text(link)}">{inner}</a>' if link else inner

    def cell(cell: Cell) -> str:
        inner = "—" if cell.value is None else text(cell.value) + text(cell.unit)
        numeric = ' class="num"' if cell.numeric else ""
        return f'<td{numeric} data-testid="cell">{linked(cell.link, inner)}</td>'

    testid = text(testid)
    header = "".join(
        f'<th scope="col" class="text-nowrap{" num" if numeric else ""}">{text(column)}</th>'
        for column, numeric in table.header
    )
    rows = [
        f'\n    <tr data-testid="row-{testid}">\n'
        f'      <th scope="row" class="fw-normal">{linked(row.link, text(row.label))}</th>\n'
        f"      {''.join(cell(each) for each in row.cells)}\n"
        "    </tr>\n  "
        for row in table.rows
    ]
    if not rows:
        empty = escape(gettext("暂无数据"))
        rows = [f'\n    <tr><td colspan="{len(table.columns)}" class="text-secondary">{empty}</td></tr>\n  ']
    # The columns are compared across rows: on a phone the table scrolls sideways inside its box,
    # its first column kept in view, and a line above says so.
    cue = escape(gettext("表格较宽，可左右滑动查看 →"))
    region = escape(gettext("数据表（可左右滑动）"))
    return mark_safe(  # every value above is escaped
        f'<p class="scroll-cue" aria-hidden="true">{cue}</p>\n'
        f'<div class="table-scroll" tabindex="0" role="region" aria-label="{region}">\n'
        f'<table class="table table-sm align-middle dashboard-data table-sticky" data-testid="table-{testid}">\n'
        f"  <thead><tr>{header}</tr></thead>\n"
        f"  <tbody>\n  {''.join(rows)}\n  </tbody>\n</table>\n</div>\n"
    )


@register.simple_tag(takes_context=True)
def district_rows(context: template.Context, comparison: DistrictComparison) -> SafeString:
    """The district table's body: a ``row-schools`` per school, its figures, then when they were computed."""
    text = _text_writer(context)

    def computed(at) -> str:
        # {{ at|date:"Y-m-d H:i" }}: the engine gives the filter the time in the current time zone,
        # and the format names no localised part (what the filter's look-ups would cost 50 times).
        if not at:
            return "—"
        at = template_localtime(at, context.use_tz)
        return f"{at.year:04d}-{at.month:02d}-{at.day:02d} {at.hour:02d}:{at.minute:02d}"

    rows = [
        '\n        <tr data-testid="row-schools">\n'
        f'          <th scope="row" class="fw-normal" data-testid="school-name">{text(school.name)}</th>\n'
        "          "
        + "".join(
            '<td class="num" data-testid="cell">'
            + ("—" if cell.value is None else text(cell.value) + text(cell.unit))
            + "</td>"
            for cell in school.cells
        )
        + f'\n          <td class="text-nowrap small text-secondary">{computed(school.computed_at)}</td>\n'
        "        </tr>\n      "
        for school in comparison.schools
    ]
    if not rows:
        empty = escape(gettext("暂无数据"))
        columns = len(comparison.measures) + 2
        rows = [f'\n        <tr><td colspan="{columns}" class="text-secondary">{empty}</td></tr>\n      ']
    return mark_safe("".join(rows))  # every value above is escaped
