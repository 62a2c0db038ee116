"""The flat field templates (config/bootstrap_fields.py) write crispy-forms' Bootstrap 5 markup.

The busiest forms left crispy's `as_crispy_field` for speed; what a user sees and what assistive
technology reads must not change. Each field of a form with every widget the portal uses is
rendered both ways, empty and with errors, and compared tag by tag (attribute order aside).
"""

import re

import pytest
from django import forms
from django.template import Context, Template

from config.bootstrap_fields import BootstrapFields


class _Fields(forms.Form):
    title = forms.CharField(label="活动名称", max_length=20)
    place = forms.CharField(label="活动地点", required=False, help_text="例如 三年级教室")
    day = forms.DateField(label="活动日期", widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label="活动类型", choices=[("", "请选择"), ("a", "讲座"), ("b", "家访")])
    count = forms.IntegerField(label="受益人数", min_value=0)
    hours = forms.DecimalField(label="时长", required=False, help_text="不超过 744 小时", max_digits=4)
    notes = forms.CharField(label="活动纪实", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    members = forms.MultipleChoiceField(
        label="参与党员", required=False, widget=forms.CheckboxSelectMultiple, choices=[("1", "张玺"), ("2", "袁懿")]
    )


class _FlatFields(BootstrapFields, _Fields):
    pass


def _normalised(html: str) -> str:
    html = re.sub(r"\s+", " ", html)
    html = re.sub(r">\s+", ">", html)
    html = re.sub(r"\s+<", "<", html).replace("<div >", "<div>")

    def sorted_attributes(tag: re.Match) -> str:
        attributes = sorted(re.findall(r'[\w-]+(?:="[^"]*")?', tag.group(2)))
        return "<" + tag.group(1) + "".join(" " + attribute for attribute in attributes) + ">"

    return re.sub(r"<(\w+)([^>]*)>", sorted_attributes, html)


def _crispy(form, name: str) -> str:
    return Template("{% load crispy_forms_tags %}{{ field|as_crispy_field }}").render(Context({"field": form[name]}))


@pytest.mark.parametrize(
    "data",
    [
        None,
        {
            "title": "",
            "place": "x" * 3,
            "day": "not a day",
            "kind": "z",
            "count": "-1",
            "hours": "1e9",
            "members": ["3"],
        },
        {"title": "周三辅导", "day": "2025-10-15", "kind": "b", "count": "12", "members": ["1", "2"], "notes": "<b>"},
    ],
    ids=["empty", "errors", "filled"],
)
def test_every_field_renders_as_crispy_renders_it(data):
    crispy_form, flat_form = _Fields(data), _FlatFields(data)
    if data is not None:
        assert crispy_form.is_valid() == flat_form.is_valid()
    for name in _Fields.base_fields:
        crispy_html = _normalised(_crispy(crispy_form, name))
        flat_html = _normalised(flat_form[name].as_field_group())
        assert flat_html == crispy_html, name


def test_a_field_with_errors_says_so_to_the_eye_and_to_a_screen_reader():
    field = _FlatFields({"title": "", "count": "-1"})["title"]
    html = field.as_field_group()
    assert 'class="textinput form-control is-invalid"' in html
    assert 'aria-invalid="true"' in html and 'aria-describedby="id_title_error"' in html
    assert '<div id="id_title_error" class="invalid-feedback"><p id="error_1_id_title">' in html
    assert '<span class="asteriskField">*</span>' in html
