"""The 年度报告 request form: which school year and which kind of report."""

from django import forms
from django.utils.translation import gettext_lazy as _

from config.idempotency import ClientIdField

from .enums import ReportKind


class ReportRequestForm(forms.Form):
    school_year = forms.ChoiceField(label=_("学年"))
    kind = forms.ChoiceField(
        label=_("报告类型"), choices=ReportKind.choices, initial=ReportKind.SUMMARY, widget=forms.RadioSelect
    )

    client_id = ClientIdField()

    def __init__(self, *args, school_years: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school_year"].choices = [(year, _("%(year)s 学年") % {"year": year}) for year in school_years]
