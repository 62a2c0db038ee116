"""Cells of the workbooks the portal writes (roster, review queue, annual report)."""

# A cell starting with one of these is a formula to Excel and LibreOffice (OWASP CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value):
    """Text a spreadsheet shows as it is: a leading quote disarms a would-be formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
