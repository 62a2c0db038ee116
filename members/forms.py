from django import forms
from django.utils.translation import gettext_lazy as _

from .enums import PartyStatus


class MemberFilterForm(forms.Form):
    """The roster page's search box and filters; choices are limited to the user's committee."""

    q = forms.CharField(label=_("搜索"), required=False, max_length=50)
    branch = forms.TypedChoiceField(label=_("党支部"), required=False, coerce=int, empty_value=None)
    group = forms.TypedChoiceField(label=_("党小组"), required=False, coerce=int, empty_value=None)
    party_status = forms.ChoiceField(
        label=_("政治面貌"), required=False, choices=[("", _("全部"))] + list(PartyStatus.choices)
    )
    archived = forms.BooleanField(label=_("含已归档"), required=False)

    def __init__(self, *args, branches=(), groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].choices = [("", _("全部"))] + [(b.pk, b.name) for b in branches]
        self.fields["group"].choices = [("", _("全部"))] + [(g.pk, g.name) for g in groups]
