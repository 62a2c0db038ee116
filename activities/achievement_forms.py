"""Input of the achievement pages: the list's filters, the record forms and the rejection reason."""

from django import forms
from django.utils.translation import gettext_lazy as _

from config import input_bounds as bounds
from config.bootstrap_fields import BootstrapFields
from config.form_choices import PLEASE_CHOOSE
from config.idempotency import ClientIdField
from config.text_input import TitleField
from projects.forms import iso_date_input

from .enums import AchievementKind, AchievementLevel, AchievementRank, AchievementStatus

CERTIFICATE_ACCEPT = "image/jpeg,image/png,image/webp,image/heic,.heic,.pdf,application/pdf"


def _with_blank(choices, label) -> list[tuple[str, str]]:
    return [("", label), *choices]


class AchievementFilterForm(BootstrapFields, forms.Form):
    kind = forms.ChoiceField(
        label=_("类别"), required=False, choices=_with_blank(AchievementKind.choices, _("全部类别"))
    )
    level = forms.ChoiceField(
        label=_("级别"), required=False, choices=_with_blank(AchievementLevel.choices, _("全部级别"))
    )
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=_with_blank(AchievementStatus.choices, _("全部状态"))
    )


class _CertificateMixin(forms.Form):
    certificate = forms.FileField(
        label=_("证书（可选）"),
        required=False,
        help_text=_("证书照片（JPEG、PNG、WebP、HEIC）或 PDF，不超过 15 MB"),
        widget=forms.ClearableFileInput(attrs={"accept": CERTIFICATE_ACCEPT}),
    )
    client_id = ClientIdField()


class AchievementForm(_CertificateMixin):
    """An achievement of members (or pupils); whom one may credit is decided by the choices given."""

    kind = forms.ChoiceField(label=_("成果类别"), choices=AchievementKind.choices)
    title = TitleField(label=_("成果名称"), max_length=200)
    level = forms.ChoiceField(label=_("级别"), choices=AchievementLevel.choices)
    rank = forms.ChoiceField(label=_("等次"), choices=AchievementRank.choices, initial=AchievementRank.NONE)
    issuing_body = TitleField(label=_("颁发单位"), max_length=100, required=False)
    awarded_on = forms.DateField(
        label=_("获得日期"), widget=iso_date_input(), validators=[bounds.DateWindowValidator(past_only=True)]
    )
    members = forms.ModelMultipleChoiceField(
        label=_("获得者（党员）"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    pupils = forms.CharField(
        label=_("学生"),
        required=False,
        max_length=500,
        help_text=_("学生作品填写学生姓名，多名学生用顿号分隔"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    word_count = forms.IntegerField(
        label=_("字数"),
        required=False,
        min_value=0,
        max_value=bounds.WORD_COUNT_MAX,
        help_text=_("学生作品的字数，可不填"),
    )
    project = forms.ModelChoiceField(
        label=_("关联微项目（可选）"), queryset=None, required=False, empty_label=PLEASE_CHOOSE
    )
    field_order = [
        "kind",
        "title",
        "level",
        "rank",
        "issuing_body",
        "awarded_on",
        "members",
        "pupils",
        "word_count",
        "project",
        "certificate",
    ]

    def __init__(self, *args, members, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = members
        self.fields["members"].label_from_instance = lambda member: (
            f"{member.name}（{member.group.name}）" if member.group else member.name
        )
        self.fields["project"].queryset = projects
        self.fields["project"].label_from_instance = lambda project: (
            f"{project.title}（{project.group.name} · {project.school_year}）" if project.group else project.title
        )

    def clean(self):
        data = super().clean()
        if data.get("kind") == AchievementKind.PUPILS_WORK:
            if not (data.get("pupils") or "").strip():
                self.add_error("pupils", _("学生作品请填写学生姓名。"))
        elif "members" in data and not data["members"]:
            self.add_error("members", _("请选择获得成果的党员。"))
        return data


COMMITTEE_HONOUR_KINDS = [
    (AchievementKind.HONOUR.value, AchievementKind.HONOUR.label),
    (AchievementKind.AWARD.value, AchievementKind.AWARD.label),
]


class CommitteeHonourForm(_CertificateMixin):
    """An honour of the committee itself, e.g. 先进基层党组织."""

    kind = forms.ChoiceField(label=_("成果类别"), choices=COMMITTEE_HONOUR_KINDS, initial=AchievementKind.HONOUR)
    title = TitleField(label=_("荣誉名称"), max_length=200, initial=_("先进基层党组织"))
    level = forms.ChoiceField(label=_("级别"), choices=AchievementLevel.choices)
    rank = forms.ChoiceField(label=_("等次"), choices=AchievementRank.choices, initial=AchievementRank.NONE)
    issuing_body = TitleField(label=_("授予单位"), max_length=100, required=False)
    awarded_on = forms.DateField(
        label=_("获得日期"), widget=iso_date_input(), validators=[bounds.DateWindowValidator(past_only=True)]
    )
    field_order = ["kind", "title", "level", "rank", "issuing_body", "awarded_on", "certificate"]


class RejectionForm(forms.Form):
    reason = forms.CharField(
        label=_("未通过原因"),
        max_length=1000,
        error_messages={"required": _("请写明未通过的原因。")},
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("填报人会看到这条原因"),
    )


def achievement_initial(achievement) -> dict:
    """The record form's initial values for an existing achievement, for its edit page."""
    return {
        "kind": achievement.kind,
        "title": achievement.title,
        "level": achievement.level,
        "rank": achievement.rank,
        "issuing_body": achievement.issuing_body,
        "awarded_on": achievement.awarded_on,
        "members": [member.pk for member in achievement.members.all()],
        "pupils": achievement.pupils,
        "word_count": achievement.word_count,
        "project": achievement.project_id,
    }


def as_revision_form(form: forms.Form) -> forms.Form:
    """A record form used to revise an achievement: a chosen file replaces the certificate, none keeps it."""
    certificate = form.fields["certificate"]
    certificate.label = _("更换证书（可选）")
    certificate.help_text = _("不选择文件则保留原证书；新证书为照片（JPEG、PNG、WebP、HEIC）或 PDF，不超过 15 MB")
    certificate.widget = forms.FileInput(attrs={"accept": CERTIFICATE_ACCEPT})
    return form
