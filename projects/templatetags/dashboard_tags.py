"""The dashboards' data tables, written in Python.

A committee dashboard shows several hundred cells (the target completion table alone has a row per
target of every project); through the template engine they were most of the page's time. The
markup is the one ``_dashboard_table.html`` used to produce, values localised and escaped the
same way as ``{{ value }}``.
"""

import html

from django import template
from django.template.base import render_value_in_context
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from projects.dashboard_selectors import Cell, Table

register = template.Library()

_LOCALISED = object()  # render_context key of the numbers localised so far


def _text(value, context: template.Context) -> str:
    """``{{ value }}``: plain text is only escaped (as ``escape`` does); numbers are localised first."""
    if type(value) is str:
        return html.escape(value)
    if type(value) not in (int, float):
        return render_value_in_context(value, context)
    # The same counts and percentages recur across a page's tables: localise each once per render.
    localised = context.render_context.setdefault(_LOCALISED, {})
    key = (type(value), value)
    if key not in localised:
        localised[key] = render_value_in_context(value, context)
    return localised[key]


def _linked(link: str | None, text: str, context: template.Context) -> str:
    return f'<a href="{_text(link, context)}">{text}</a>' if link else text


def _cell(cell: Cell, context: template.Context) -> str:
    text = "—" if cell.value is None else _text(cell.value, context) + _text(cell.unit, context)
    numeric = ' class="num"' if cell.numeric else ""
    return f'<td{numeric} data-testid="cell">{_linked(cell.link, text, context)}</td>'


@register.simple_tag(takes_context=True)
def dashboard_table(context: template.Context, table: Table, testid: str) -> SafeString:
    """The table of a chart (or of the projects), one ``row-<testid>`` per row."""
    testid = _text(testid, context)
    header = "".join(
        f'<th scope="col" class="text-nowrap{" num" if numeric else ""}">{_text(column, context)}</th>'
        for column, numeric in table.header
    )
    rows = [
        f'\n    <tr data-testid="row-{testid}">\n'
        f'      <th scope="row" class="fw-normal">{_linked(row.link, _text(row.label, context), context)}</th>\n'
        f"      {''.join(_cell(cell, context) for cell in row.cells)}\n"
        "    </tr>\n  "
        for row in table.rows
    ]
    if not rows:
        empty = escape(gettext("暂无数据"))
        rows = [f'\n    <tr><td colspan="{len(table.columns)}" class="text-secondary">{empty}</td></tr>\n  ']
    return mark_safe(  # every value above is escaped
        '<div class="table-responsive">\n'
        f'<table class="table table-sm align-middle dashboard-data" data-testid="table-{testid}">\n'
        f"  <thead><tr>{header}</tr></thead>\n"
        f"  <tbody>\n  {''.join(rows)}\n  </tbody>\n</table>\n</div>\n"
    )
