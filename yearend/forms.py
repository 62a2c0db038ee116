"""Input of the year-end assessment: opening a round, thresholds, the rubric and the score sheet."""

from collections.abc import Sequence
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from config.form_choices import PleaseChooseMixin
from config.idempotency import ClientIdField
from projects.forms import RubricScoresForm, plain_decimal

from .models import AssessmentCriterion, AssessmentRound


def _threshold_field(label: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": "0.5", "inputmode": "decimal"}),
    )


class ThresholdsForm(forms.Form):
    """The rating thresholds on the 0–100 weighted total; below 合格 is 不合格."""

    excellent_threshold = _threshold_field(_("优秀（平均分不低于）"))
    good_threshold = _threshold_field(_("良好（平均分不低于）"))
    pass_threshold = _threshold_field(_("合格（平均分不低于）"))

    def __init__(self, *args, assessment_round: AssessmentRound | None = None, **kwargs):
        if assessment_round is not None:
            kwargs.setdefault(
                "initial",
                {
                    "excellent_threshold": plain_decimal(assessment_round.excellent_threshold),
                    "good_threshold": plain_decimal(assessment_round.good_threshold),
                    "pass_threshold": plain_decimal(assessment_round.pass_threshold),
                },
            )
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        excellent, good, passing = (
            cleaned.get("excellent_threshold"),
            cleaned.get("good_threshold"),
            cleaned.get("pass_threshold"),
        )
        if None not in (excellent, good, passing) and not passing < good < excellent:
            raise forms.ValidationError(_("分数线应满足：合格 < 良好 < 优秀。"))
        return cleaned


class AssessmentOpenForm(ThresholdsForm):
    """The year is chosen from the same list as the dashboards' and reports' (those not yet assessed)."""

    school_year = forms.ChoiceField(label=_("学年"), help_text=_("考核该学年已结项的项目"))

    client_id = ClientIdField()

    field_order = ["school_year", "excellent_threshold", "good_threshold", "pass_threshold"]

    def __init__(self, *args, school_years: Sequence[str] = (), default: str = "", **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "school_year": default,
                "excellent_threshold": 90,
                "good_threshold": 80,
                "pass_threshold": 60,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["school_year"].choices = [(year, _("%(year)s 学年") % {"year": year}) for year in school_years]


class CriterionForm(PleaseChooseMixin, forms.ModelForm):
    class Meta:
        model = AssessmentCriterion
        fields = ["name", "description", "max_score", "weight"]
        widgets = {"description": forms.TextInput()}


class BaseCriterionFormSet(forms.BaseModelFormSet):
    def clean(self):
        if any(self.errors):
            return
        names = [
            form.cleaned_data["name"].strip()
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if not names:
            raise forms.ValidationError(_("考核细则至少需要一个维度。"))
        if len(set(names)) != len(names):
            raise forms.ValidationError(_("考核维度的名称不能重复。"))

    def validate_unique(self):
        # The service replaces the rubric as a whole; names are checked in clean().
        return


CriterionFormSet = forms.modelformset_factory(
    AssessmentCriterion,
    form=CriterionForm,
    formset=BaseCriterionFormSet,
    extra=1,
    can_delete=True,
    max_num=12,
    validate_max=True,
)


class AssessmentSheetForm(RubricScoresForm):
    """One number per criterion of the round (0 to its maximum) and a comment."""

    comment = forms.CharField(
        label=_("考核意见"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
