"""Input of the year's calendar: its dates and an extension for one group."""

from django import forms
from django.utils.translation import gettext_lazy as _

from config import input_bounds as bounds
from config.form_choices import PLEASE_CHOOSE
from config.text_input import TitleField


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _date(label: str, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=DateInput(),
        help_text=help_text,
        validators=[bounds.DateWindowValidator()],
    )


class CalendarForm(forms.Form):
    application_opens_on = _date(_("申报开始日期"))
    application_closes_on = _date(_("申报截止日期"), _("截止后提交申报将被拒绝；可为个别党小组延期"))
    review_due_on = _date(_("评审截止日期（首轮）"), _("委员须在此日前完成评分；提前 7 天、1 天和逾期 3 天提醒"))
    resubmission_review_days = forms.IntegerField(
        label=_("重新提交后的评审期限（天）"), min_value=1, max_value=90, initial=14
    )
    logging_due_day = forms.IntegerField(
        label=_("活动记录截止日（次月几日）"),
        min_value=1,
        max_value=28,
        required=False,
        help_text=_("例如 5：每月的活动须在次月 5 日前记录；留空则不提醒"),
    )
    assessment_opens_on = _date(_("考核开始日期"))
    assessment_due_on = _date(_("考核评分截止日期"))
    review_quorum = forms.IntegerField(
        label=_("作出决定所需的最少评分人数"),
        min_value=1,
        max_value=50,
        required=False,
        help_text=_("留空表示全体无需回避的党委委员都须评分"),
    )

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("application_opens_on"), cleaned.get("application_closes_on")
        if opens and closes and closes < opens:
            self.add_error("application_closes_on", _("申报截止日期不能早于申报开始日期。"))
        opens, due = cleaned.get("assessment_opens_on"), cleaned.get("assessment_due_on")
        if opens and due and due < opens:
            self.add_error("assessment_due_on", _("考核评分截止日期不能早于考核开始日期。"))
        return cleaned


class ExtensionForm(forms.Form):
    group = forms.ModelChoiceField(label=_("党小组"), queryset=None, empty_label=PLEASE_CHOOSE)
    until = forms.DateField(label=_("延期至"), widget=DateInput(), validators=[bounds.DateWindowValidator()])
    reason = TitleField(label=_("延期原因"), max_length=200)

    def __init__(self, *args, groups, **kwargs):
        kwargs.setdefault("auto_id", "id_extension_%s")
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups


class YearChoiceForm(forms.Form):
    year = forms.ChoiceField(label=_("学年"))

    def __init__(self, *args, school_years: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, _("%(year)s 学年") % {"year": year}) for year in school_years]
