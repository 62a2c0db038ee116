"""Form fields in Bootstrap 5's markup, as crispy-forms writes it, through one flat template each.

crispy-forms' `as_crispy_field` renders a field through five nested templates and a template tag
that rewrites the widget's classes: about 0.7 ms a field, most of the activity form's time (the
page a group leader opens most in a deadline rush). A form that mixes in `BootstrapFields`
renders each field with `{{ form.field.as_field_group }}` (Django's own field templates) through
`FIELD_TEMPLATE` or, for a list of checkboxes, `CHECKBOXES_TEMPLATE`: the same markup, classes
and error blocks, with Django adding the aria attributes itself.
"""

from django import forms

FIELD_TEMPLATE = "includes/bootstrap_field.html"
CHECKBOXES_TEMPLATE = "includes/bootstrap_checkboxes.html"


def bootstrap_classes(widget: forms.Widget) -> str:
    """crispy-forms' classes for a widget: its class name in lower case, then Bootstrap's own."""
    if isinstance(widget, forms.Select):
        bootstrap = "form-select"
    elif isinstance(widget, forms.CheckboxInput):
        bootstrap = "form-check-input"
    else:
        bootstrap = "form-control"
    classes = widget.attrs.get("class", "").split()
    for name in (widget.__class__.__name__.lower(), bootstrap):
        if name not in classes:
            classes.append(name)
    return " ".join(classes)


class BootstrapBoundField(forms.BoundField):
    """A field whose widget carries crispy-forms' Bootstrap classes, `is-invalid` with errors."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if widget.is_hidden or isinstance(widget, forms.CheckboxSelectMultiple):
            return attrs  # the checkboxes' template writes each box's classes itself
        classes = bootstrap_classes(widget)
        attrs["class"] = f"{classes} is-invalid" if self.errors else classes
        return attrs


class BootstrapFields:
    """Mixin for a form: every field renders through the flat templates above."""

    bound_field_class = BootstrapBoundField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if field.template_name is None:
                checkboxes = isinstance(field.widget, forms.CheckboxSelectMultiple)
                field.template_name = CHECKBOXES_TEMPLATE if checkboxes else FIELD_TEMPLATE
