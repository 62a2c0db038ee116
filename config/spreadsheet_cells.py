"""Cells of the workbooks the portal writes (roster, review queue, annual report)."""

from .text_input import xml_safe

# A cell starting with one of these is a formula to Excel and LibreOffice (OWASP CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value):
    """Text a spreadsheet shows as it is: a leading quote disarms a would-be formula, and
    control characters that no workbook can hold are dropped."""
    if not isinstance(value, str):
        return value
    value = xml_safe(value)
    if value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
