"""Empty choices read 请选择 instead of Django's "---------"."""

from django import forms
from django.db.models.fields import BLANK_CHOICE_DASH
from django.utils.translation import gettext_lazy as _

PLEASE_CHOOSE = _("请选择")
_DASHES = BLANK_CHOICE_DASH[0][1]


class PleaseChooseMixin:
    """Form mixin: every select's empty choice (a model choice's empty_label, a model field's
    blank choice, a ChoiceField's ("", "---------")) reads 请选择; labels set on purpose stay."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                if field.empty_label == _DASHES:
                    field.empty_label = PLEASE_CHOOSE
            elif isinstance(field, forms.ChoiceField) and any(
                value == "" and label == _DASHES for value, label in field.choices
            ):
                field.choices = [
                    (value, PLEASE_CHOOSE if value == "" and label == _DASHES else label)
                    for value, label in field.choices
                ]
