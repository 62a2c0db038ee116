"""Input of the delegation page: which member of the group the leader delegates."""

from django import forms
from django.utils.translation import gettext_lazy as _

from config.idempotency import ClientIdField


class DelegationForm(forms.Form):
    member = forms.ModelChoiceField(
        label=_("授权党员"),
        queryset=None,
        empty_label=_("请选择本组党员"),
        help_text=_("获授权的党员可以为本项目填写和修改活动记录（归档仍由组长操作），项目结项后自动失效。"),
    )

    client_id = ClientIdField()

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
