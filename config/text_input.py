"""Typed text normalised where meaning demands it.

- Names and titles lose invisible characters: zero-width spaces and joiners, the byte-order mark,
  and the bidirectional controls that can make one string look like another (a look-alike
  duplicate of a member on the roster, a title that reads backwards).
- Years, numbers and codes are NFKC-normalised: full-width ２０２５ is 2025, not another year.
"""

import re
import unicodedata

from django import forms

# Zero-width and joiner characters, the BOM, and every bidirectional control.
_INVISIBLE = re.compile("[\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\u061c\u180e\u00ad]")


# C0 control characters other than tab, newline and carriage return: text pasted from Word or a
# PDF can carry them (a vertical tab for a line break, a form feed), and XML 1.0 forbids them, so a
# .docx or .xlsx holding one cannot be written at all.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xml_safe(text: str) -> str:
    """The text as a Word or Excel file can hold it: XML-illegal control characters out, a
    vertical tab or form feed (a line or page break in Word) as a newline."""
    return _XML_ILLEGAL.sub("", text.replace("\x0b", "\n").replace("\x0c", "\n"))


def without_invisibles(text: str) -> str:
    """The text without zero-width, bidi-control and other invisible format characters."""
    return _INVISIBLE.sub("", text)


def clean_title(text: str) -> str:
    """A name or title: invisible characters out, runs of whitespace (full-width too) one space."""
    return re.sub(r"\s+", " ", without_invisibles(text)).strip()


def nfkc(text: str) -> str:
    """A year, number or code as ASCII where it has an ASCII form: full-width digits and dashes too."""
    return unicodedata.normalize("NFKC", without_invisibles(text)).strip()


class TitleField(forms.CharField):
    """A one-line name or title; max_length counts what is stored, after cleaning."""

    def to_python(self, value):
        value = super().to_python(value)
        return clean_title(value) if value else value


class CodeField(forms.CharField):
    """A year, number or code typed by hand, NFKC-normalised before it is checked."""

    def to_python(self, value):
        value = super().to_python(value)
        return nfkc(value) if value else value
