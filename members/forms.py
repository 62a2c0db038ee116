from django import forms
from django.utils.translation import gettext_lazy as _

from branches.models import Committee
from config.idempotency import ClientIdField

from . import roster
from .enums import PartyStatus


class MemberFilterForm(forms.Form):
    """The roster page's search box and filters; choices are limited to the user's committee."""

    q = forms.CharField(label=_("搜索"), required=False, max_length=50)
    branch = forms.TypedChoiceField(label=_("党支部"), required=False, coerce=int, empty_value=None)
    group = forms.TypedChoiceField(label=_("党小组"), required=False, coerce=int, empty_value=None)
    party_status = forms.ChoiceField(
        label=_("政治面貌"), required=False, choices=[("", _("全部")), *PartyStatus.choices]
    )
    archived = forms.BooleanField(label=_("含已归档"), required=False)

    def __init__(self, *args, branches=(), groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].choices = [("", _("全部"))] + [(b.pk, b.name) for b in branches]
        self.fields["group"].choices = [("", _("全部"))] + [(g.pk, g.name) for g in groups]


class RosterUploadForm(forms.Form):
    """A roster workbook to preview: refused unless it is a readable .xlsx within the limits."""

    file = forms.FileField(
        label=_("花名册文件（.xlsx）"),
        max_length=255,
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx," + roster.XLSX_CONTENT_TYPE}),
    )

    def __init__(self, *args, committee: Committee, **kwargs):
        super().__init__(*args, **kwargs)
        self.committee = committee

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(
                _("只接受 Excel 工作簿（.xlsx）。.xls、.csv 等格式请先用 Excel 或 WPS “另存为 .xlsx”。"),
                code="extension",
            )
        if upload.size > roster.MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("文件过大（%(size).1f MB），请上传不超过 %(limit)d MB 的文件。")
                % {"size": upload.size / (1024 * 1024), "limit": roster.MAX_FILE_BYTES // (1024 * 1024)},
                code="size",
            )
        return upload

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is not None:
            try:
                cleaned["rows"] = roster.roster_read(upload, committee=self.committee)
            except roster.RosterFileError as exc:
                self.add_error("file", exc.message)
        return cleaned


class RosterConfirmForm(forms.Form):
    """The choice made on the preview page; the token ties it to the preview the user saw."""

    ALL = "all"
    VALID_ONLY = "valid_only"

    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    client_id = ClientIdField()
    mode = forms.ChoiceField(choices=[(ALL, _("导入全部")), (VALID_ONLY, _("仅导入有效行"))])
