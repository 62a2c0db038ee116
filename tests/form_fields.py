"""What a browser would post for a form on a page: its fields with their current values."""

from html.parser import HTMLParser


class _FormFields(HTMLParser):
    def __init__(self, action: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.action = action
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._radios: dict[str, str] = {}
        self._checked_radios: set[str] = set()
        self._select: str | None = None
        self._select_value: str | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        attrs = {key: value if value is not None else "" for key, value in attrs}
        if tag == "form":
            self.inside = self.action is None or attrs.get("action", "") == self.action
            return
        if not self.inside or "name" not in attrs:
            if tag == "option" and self._select is not None:
                self._option(attrs)
            return
        name = attrs["name"]
        if tag == "input":
            kind = attrs.get("type", "text").lower()
            if kind in {"submit", "button", "file", "image", "reset"}:
                return
            if kind == "checkbox":
                if "checked" in attrs:
                    self.fields.append((name, attrs.get("value", "on")))
            elif kind == "radio":
                self._radios.setdefault(name, attrs.get("value", "on"))
                if "checked" in attrs:
                    self._checked_radios.add(name)
                    self.fields.append((name, attrs.get("value", "on")))
            else:
                self.fields.append((name, attrs.get("value", "")))
        elif tag == "select":
            self._select, self._select_value = name, None
        elif tag == "textarea":
            self._textarea, self._text = name, ""

    def _option(self, attrs):
        if self._select_value is None or "selected" in attrs:
            self._select_value = attrs.get("value", "")

    def handle_data(self, data):
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "select" and self._select is not None:
            self.fields.append((self._select, self._select_value or ""))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea, self._text.lstrip("\n")))
            self._textarea = None


def form_fields(html: str, action: str | None = None) -> dict[str, str]:
    """The named fields of the form posting to `action` (any form if None), as a browser sends them.

    Checkboxes count only when checked; a radio group with none checked takes its first choice.
    Multi-valued fields keep their last value (enough for the forms these tests post).
    """
    parser = _FormFields(action)
    parser.feed(html)
    fields = dict(parser.fields)
    for name, value in parser._radios.items():
        fields.setdefault(name, value)
    return fields
