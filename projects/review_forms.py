"""Input of the review side: score sheets, decisions, the queue's filters and the catalogue."""

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from config.bootstrap_fields import BootstrapFields
from config.form_choices import PleaseChooseMixin
from config.idempotency import ClientIdField
from config.text_input import TitleField

from .enums import Decision, ProjectStatus, Recommendation
from .forms import RubricScoresForm
from .models import Indicator, ProjectType, RubricCriterion
from .review_selectors import QUEUE_SORTS, QUEUE_STATUSES


class ScoreSheetForm(RubricScoresForm):
    """One number per active criterion (0 to its maximum), the recommendation and a comment."""

    recommendation = forms.ChoiceField(label=_("总体意见"), choices=Recommendation.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("评审意见"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("党委书记可以选择将评审意见匿名反馈给申报党小组。"),
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("党委决定"), choices=Decision.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("党委意见"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("申报党小组可以看到此意见；退回修改时必须填写修改意见。"),
    )
    share_reviewer_comments = forms.BooleanField(label=_("向申报党小组公开评审意见（匿名）"), required=False)
    confirm_below_quorum = forms.BooleanField(
        label=_("评分人数不足，我确认仍要作出决定"),
        required=False,
        help_text=_("将记录在项目记录中，连同尚未评分的委员名单。"),
    )

    def __init__(self, *args, quorum_reached: bool = True, **kwargs):
        # The secretary's own score sheet, on the same page, also has a `comment` field: distinct
        # ids keep each <label for> on its own form's field.
        kwargs.setdefault("auto_id", "id_decision_%s")
        super().__init__(*args, **kwargs)
        if quorum_reached:
            # Nothing to confirm: the field would only be noise.
            del self.fields["confirm_below_quorum"]

    def clean(self):
        cleaned = super().clean()
        cleaned.setdefault("confirm_below_quorum", False)
        if cleaned.get("decision") == Decision.RETURN and not cleaned.get("comment", "").strip():
            self.add_error("comment", _("退回修改时请写明修改意见。"))
        return cleaned


class BulkDecisionForm(BootstrapFields, forms.Form):
    projects = forms.TypedMultipleChoiceField(label=_("项目"), coerce=int, choices=())
    decision = forms.ChoiceField(label=_("批量决定"), choices=Decision.choices)
    comment = forms.CharField(label=_("党委意见"), required=False, max_length=2000)

    def __init__(self, *args, project_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["projects"].choices = [(pk, pk) for pk in project_ids]
        self.fields["projects"].error_messages["required"] = _("请至少勾选一个项目。")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == Decision.RETURN and not cleaned.get("comment", "").strip():
            self.add_error("comment", _("退回修改时请写明修改意见。"))
        return cleaned


SORT_LABELS = {
    "submitted": _("提交时间"),
    "mean": _("平均分"),
    "median": _("中位数"),
    "spread": _("极差"),
    "count": _("评分人数"),
}


class ReviewFilterForm(BootstrapFields, forms.Form):
    status = forms.ChoiceField(label=_("状态"), required=False)
    project_type = forms.TypedChoiceField(label=_("项目类型"), required=False, coerce=int, empty_value=None)
    branch = forms.TypedChoiceField(label=_("党支部"), required=False, coerce=int, empty_value=None)
    sort = forms.ChoiceField(label=_("排序"), required=False)

    def __init__(self, *args, project_types=(), branches=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("待评审（已提交、评审中）"))] + [
            (status, ProjectStatus(status).label) for status in QUEUE_STATUSES
        ]
        self.fields["project_type"].choices = [("", _("全部"))] + [(t.pk, t.name) for t in project_types]
        self.fields["branch"].choices = [("", _("全部"))] + [(b.pk, b.name) for b in branches]
        sorts = []
        for key in QUEUE_SORTS:
            sorts.append((key, _("%(field)s 从低到高") % {"field": SORT_LABELS[key]}))
            sorts.append((f"-{key}", _("%(field)s 从高到低") % {"field": SORT_LABELS[key]}))
        self.fields["sort"].choices = sorts


class CatalogueEntryForm(forms.ModelForm):
    """A catalogue entry's form; a new entry's carries the one-time id that makes its create happen once."""

    client_id = ClientIdField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            del self.fields["client_id"]  # an edit changes a row that exists: nothing to make once


class ProjectTypeForm(PleaseChooseMixin, CatalogueEntryForm):
    class Meta:
        model = ProjectType
        fields = ["name", "organisation_type", "description", "position"]
        field_classes = {"name": TitleField}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class IndicatorForm(CatalogueEntryForm):
    class Meta:
        model = Indicator
        fields = ["name", "unit", "project_type", "position"]
        field_classes = {"name": TitleField, "unit": TitleField}

    def __init__(self, *args, project_types: QuerySet[ProjectType], **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["project_type"]
        field.queryset = project_types
        field.empty_label = _("通用（各类项目）")


class RubricCriterionForm(PleaseChooseMixin, CatalogueEntryForm):
    class Meta:
        model = RubricCriterion
        fields = ["name", "description", "max_score", "weight", "position"]
        field_classes = {"name": TitleField}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
