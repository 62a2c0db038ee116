from collections.abc import Sequence
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from config import input_bounds as bounds
from config.bootstrap_fields import BootstrapFields
from config.form_choices import PLEASE_CHOOSE
from config.idempotency import ClientIdField
from config.text_input import TitleField, nfkc

from .enums import ProjectStatus


class SchoolYearChoiceField(forms.ChoiceField):
    """学年 as a choice list; what is posted is NFKC-normalised first, so a full-width
    ２０２５－２０２６ from an old page or a hand-made post is the same year as 2025-2026."""

    def to_python(self, value):
        value = super().to_python(value)
        return nfkc(value) if value else value

    def set_school_years(self, school_years: Sequence[str]) -> None:
        """Offer these years, labelled like every other 学年 list ("2025-2026 学年")."""
        self.choices = [(year, _("%(year)s 学年") % {"year": year}) for year in school_years]
        self.error_messages["invalid_choice"] = _("请从列表中选择学年：可选 %(years)s。") % {
            "years": "、".join(str(_("%(year)s 学年") % {"year": year}) for year in school_years)
        }


class ApplicationForm(forms.Form):
    """The application's own fields; a draft needs only a title and a school year."""

    group = forms.ModelChoiceField(label=_("申报党小组"), queryset=None, required=True, empty_label=PLEASE_CHOOSE)
    title = TitleField(label=_("项目名称"), max_length=100)
    project_type = forms.ModelChoiceField(label=_("项目类型"), queryset=None, required=False, empty_label=PLEASE_CHOOSE)
    school_year = SchoolYearChoiceField(label=_("学年"), help_text=_("本学年或下一学年"))
    background = forms.CharField(label=_("项目背景"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    goals = forms.CharField(label=_("项目目标"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    expected_achievements = forms.CharField(
        label=_("预期成果"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    participants = forms.ModelMultipleChoiceField(
        label=_("参与党员"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    attachment = forms.FileField(
        label=_("附件（可选）"),
        required=False,
        help_text=_(
            "PDF、Word（.docx）、Excel（.xlsx）或 PowerPoint（.pptx），不超过 10 MB；不接受含宏或外部链接的文件"
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.xlsx,.pptx"}),
    )
    client_id = ClientIdField()

    def __init__(self, *args, groups, project_types, participants, school_years: Sequence[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_year"].set_school_years(school_years)
        self.fields["group"].queryset = groups
        if groups.count() == 1:
            self.fields["group"].initial = groups.first()
            self.fields["group"].widget = forms.HiddenInput()
        self.fields["project_type"].queryset = project_types
        self.fields["participants"].queryset = participants
        self.fields["participants"].label_from_instance = lambda member: (
            f"{member.name}（{member.group.name}）" if member.group else member.name
        )

    def clean(self):
        data = super().clean()
        group = self.fields["group"]
        if "group" in self._errors and isinstance(group.widget, forms.HiddenInput) and group.initial is not None:
            # The page was made for a group the user no longer applies for (moved, or the page is
            # old): the hidden field's error would be invisible, so say it above the form and
            # offer the one group there is now, keeping everything else the user typed.
            self.data = self.data.copy()
            self.data[self.add_prefix("group")] = str(group.initial.pk)
            self.add_error(
                None,
                _("申报党小组已变更为「%(group)s」，请核对后再次提交。") % {"group": group.initial.name},
            )
        return data


def iso_date_input() -> forms.DateInput:
    """An <input type="date">: browsers only accept an ISO value, not the locale's 2025/09/01."""
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class PhaseForm(forms.Form):
    title = TitleField(label=_("阶段"), max_length=100)
    starts_on = forms.DateField(label=_("开始日期"), widget=iso_date_input(), validators=[bounds.DateWindowValidator()])
    ends_on = forms.DateField(label=_("结束日期"), widget=iso_date_input(), validators=[bounds.DateWindowValidator()])
    description = forms.CharField(label=_("主要工作"), max_length=500, required=False)

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            raise forms.ValidationError(_("结束日期不能早于开始日期。"))
        return data


class TargetForm(forms.Form):
    indicator = forms.ModelChoiceField(label=_("指标"), queryset=None, empty_label=PLEASE_CHOOSE)
    target_value = forms.DecimalField(
        label=_("目标值"),
        min_value=Decimal("0.01"),
        max_value=bounds.INDICATOR_VALUE_MAX,
        max_digits=12,
        decimal_places=2,
    )

    def __init__(self, *args, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = indicators


class BaseTargetFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            indicator = form.cleaned_data["indicator"]
            if indicator.pk in seen:
                raise forms.ValidationError(_("同一指标只能设置一个目标值：%(name)s") % {"name": indicator.name})
            seen.add(indicator.pk)


PhaseFormSet = forms.formset_factory(PhaseForm, extra=1, can_delete=True, max_num=20, validate_max=True)
TargetFormSet = forms.formset_factory(
    TargetForm, formset=BaseTargetFormSet, extra=2, can_delete=True, max_num=30, validate_max=True
)


class ProjectFilterForm(BootstrapFields, forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=50)
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部")), *list(ProjectStatus.choices)])
    project_type = forms.TypedChoiceField(label=_("项目类型"), required=False, coerce=int, empty_value=None)
    branch = forms.TypedChoiceField(label=_("党支部"), required=False, coerce=int, empty_value=None)
    school_year = forms.ChoiceField(label=_("学年"), required=False)

    def __init__(self, *args, project_types=(), branches=(), school_years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project_type"].choices = [("", _("全部"))] + [(t.pk, t.name) for t in project_types]
        self.fields["branch"].choices = [("", _("全部"))] + [(b.pk, b.name) for b in branches]
        self.fields["school_year"].choices = [("", _("全部"))] + [(y, y) for y in school_years]


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )


def plain_decimal(value: Decimal) -> Decimal:
    """1.50 → 1.5 and 10.00 → 10 (normalize alone would give 1E+1)."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def criterion_field_name(criterion) -> str:
    return f"criterion_{criterion.pk}"


class RubricScoresForm(forms.Form):
    """One number per rubric criterion (0 to its maximum) before the form's own fields.

    Shared by the review's score sheet and the year-end assessment sheet; `criteria` are
    RubricCriterion or AssessmentCriterion rows, `sheet` the sheet being revised, if any.
    """

    def __init__(self, *args, criteria, sheet=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        existing = {score.criterion_id: score.score for score in sheet.scores.all()} if sheet else {}
        score_fields = {}
        for criterion in criteria:
            help_text = _("满分 %(max)s 分，权重 %(weight)s。") % {
                "max": criterion.max_score,
                "weight": plain_decimal(Decimal(criterion.weight)),
            }
            if criterion.description:
                help_text = f"{criterion.description} {help_text}"
            score_fields[criterion_field_name(criterion)] = forms.DecimalField(
                label=criterion.name,
                min_value=Decimal(0),
                max_value=Decimal(criterion.max_score),
                max_digits=5,
                decimal_places=1,
                help_text=help_text,
                initial=existing.get(criterion.pk),
                widget=forms.NumberInput(
                    attrs={"min": 0, "max": criterion.max_score, "step": "0.5", "inputmode": "decimal"}
                ),
            )
        # Scores first, then the sheet's own fields (recommendation, comment).
        self.fields = {**score_fields, **self.fields}
        if sheet is not None:
            for name in self.fields.keys() & {"recommendation", "comment"}:
                self.fields[name].initial = getattr(sheet, name)

    def scores(self) -> dict[int, Decimal]:
        return {criterion.pk: self.cleaned_data[criterion_field_name(criterion)] for criterion in self.criteria}
