"""Input of the activity log and photo pages; the rules themselves live in services.py."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config import input_bounds as bounds
from config.bootstrap_fields import BootstrapFields
from config.form_choices import PLEASE_CHOOSE
from config.idempotency import ClientIdField, parse_client_id
from config.text_input import TitleField
from projects.forms import iso_date_input

from .enums import ActivityType
from .models import ActivityLog


class ActivityForm(BootstrapFields, forms.Form):
    """An activity's record; its fields render flat (config/bootstrap_fields.py): it is the page
    a group leader opens most, with a dozen fields and the indicator rows below."""

    date = forms.DateField(
        label=_("活动日期"),
        widget=iso_date_input(),
        initial=timezone.localdate,
        validators=[bounds.DateWindowValidator(past_only=True)],
    )
    activity_type = forms.ChoiceField(label=_("活动类型"), choices=[("", PLEASE_CHOOSE), *ActivityType.choices])
    title = TitleField(label=_("活动名称"), max_length=ActivityLog._meta.get_field("title").max_length)
    place = TitleField(label=_("活动地点"), max_length=100, required=False)
    participants = forms.ModelMultipleChoiceField(
        label=_("参与党员"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    beneficiaries_count = forms.IntegerField(
        label=_("受益人数"), min_value=0, max_value=bounds.BENEFICIARIES_MAX, initial=0
    )
    beneficiaries = forms.CharField(
        label=_("受益对象"), max_length=100, required=False, help_text=_("例如 学困生、成员校教师、家长")
    )
    duration_hours = forms.DecimalField(
        label=_("活动时长（小时）"),
        min_value=Decimal("0"),
        max_value=bounds.ACTIVITY_HOURS_MAX,
        max_digits=6,
        decimal_places=1,
        initial=Decimal("0"),
        help_text=_("不超过 744 小时（31 天 × 24 小时）"),
    )
    narrative = forms.CharField(label=_("活动纪实"), widget=forms.Textarea(attrs={"rows": 5}), required=False)
    client_id = ClientIdField()
    # The activity's version the edit form showed (ActivityLog.version); empty on a new activity.
    based_on = forms.IntegerField(label=_("版本"), required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, participants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = participants
        self.fields["participants"].label_from_instance = lambda member: (
            f"{member.name}（{member.group.name}）" if member.group else member.name
        )


class IndicatorValueForm(BootstrapFields, forms.Form):
    """One row of indicator values; a row left without a value reports nothing."""

    indicator = forms.TypedChoiceField(
        label=_("指标"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs={"class": "select form-select"}),
    )
    value = forms.DecimalField(
        label=_("完成值"),
        min_value=Decimal("0.01"),
        max_value=bounds.INDICATOR_VALUE_MAX,
        max_digits=12,
        decimal_places=2,
        required=False,
        widget=forms.NumberInput(attrs={"class": "numberinput form-control"}),
    )

    def __init__(self, *args, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = {indicator.pk: indicator for indicator in indicators}
        self.fields["indicator"].choices = [("", PLEASE_CHOOSE)] + [
            (indicator.pk, f"{indicator.name}（{indicator.unit}）") for indicator in indicators
        ]

    def clean(self):
        data = super().clean()
        if data.get("value") is not None and data.get("indicator") is None:
            raise forms.ValidationError(_("请为填写的完成值选择指标。"))
        return data

    def indicator_value(self):
        """(indicator, value) of a filled row, else None."""
        data = self.cleaned_data
        if not data or data.get("indicator") is None or data.get("value") is None:
            return None
        return self.indicators[data["indicator"]], data["value"]


class BaseIndicatorValueFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            filled = form.indicator_value()
            if filled is None:
                continue
            indicator = filled[0]
            if indicator.pk in seen:
                raise forms.ValidationError(
                    _("同一指标在一条活动记录中只能填写一次：%(name)s") % {"name": indicator.name}
                )
            seen.add(indicator.pk)

    def indicator_values(self) -> list:
        return [filled for form in self.forms if (filled := form.indicator_value()) is not None]


IndicatorValueFormSet = forms.formset_factory(
    IndicatorValueForm, formset=BaseIndicatorValueFormSet, extra=2, max_num=50, validate_max=True
)


class MultipleImageInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several files under one name, passed on as they are: `photo_upload` checks each one."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleImageInput(attrs={"accept": "image/*", "multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        return list(data) if isinstance(data, list | tuple) else [data] if data else []


class PhotoUploadForm(forms.Form):
    photos = MultipleImageField(
        label=_("照片"),
        required=False,
        help_text=_("可一次选择多张，手机可直接拍照；JPEG、PNG、WebP 或 HEIC，每张不超过 15 MB"),
    )
    caption = TitleField(label=_("照片说明"), max_length=200, required=False)
    client_id = ClientIdField()


class PhotoCaptureForm(forms.Form):
    """One photo sent on its own by the capture outbox, with the id the phone made for it."""

    photo = forms.FileField(label=_("照片"), error_messages={"required": _("请选择要上传的照片。")})
    caption = TitleField(label=_("照片说明"), max_length=200, required=False)
    client_id = forms.CharField(label=_("照片编号"), error_messages={"required": _("缺少照片编号，请刷新页面后重试。")})

    def clean_client_id(self):
        client_id = parse_client_id(self.cleaned_data["client_id"])
        if client_id is None:
            raise forms.ValidationError(_("照片编号无效，请刷新页面后重试。"))
        return client_id
