"""The secretary's catalogue: project types, indicators and the review rubric. Nothing is deleted."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.db import models
from django.forms import ModelForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from members.roles import roles_of

from .. import catalogue_services, selectors
from ..errors import CatalogueNameTaken, ProjectError
from ..models import Indicator, ProjectType, RubricCriterion
from ..review_forms import IndicatorForm, ProjectTypeForm, RubricCriterionForm

# The catalogue page lists the latest changes; the admin site keeps every one.
CATALOGUE_RECORDS_SHOWN = 20


@dataclass(frozen=True)
class CatalogueKind:
    model: type[models.Model]
    form: type[ModelForm]
    title: Promise
    save: Callable  # the catalogue service: save(actor=..., <item>=..., **cleaned_data)
    item_argument: str


KINDS = {
    "types": CatalogueKind(
        ProjectType,
        ProjectTypeForm,
        gettext_lazy("项目类型"),
        catalogue_services.catalogue_project_type_save,
        "project_type",
    ),
    "indicators": CatalogueKind(
        Indicator, IndicatorForm, gettext_lazy("指标"), catalogue_services.catalogue_indicator_save, "indicator"
    ),
    "criteria": CatalogueKind(
        RubricCriterion,
        RubricCriterionForm,
        gettext_lazy("评审维度"),
        catalogue_services.catalogue_criterion_save,
        "criterion",
    ),
}


def _kind(kind: str) -> CatalogueKind:
    if kind not in KINDS:
        raise Http404
    return KINDS[kind]


def _item(request: HttpRequest, kind: CatalogueKind, item_id: int):
    item = kind.model.objects.filter(committee_id=roles_of(request.user).committee_id, pk=item_id).first()
    if item is None:
        raise Http404
    return item


@permission_required("projects.manage_catalogue", raise_exception=True)
def catalogue(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "projects/catalogue_list.html",
        {
            "project_types": selectors.project_types_of(request.user, active_only=False),
            "indicators": selectors.indicators_of(request.user, active_only=False),
            "criteria": selectors.rubric_of(request.user, active_only=False),
            "records": selectors.catalogue_records_of(request.user, limit=CATALOGUE_RECORDS_SHOWN),
            "record_limit": CATALOGUE_RECORDS_SHOWN,
        },
    )


def _form(request: HttpRequest, kind: CatalogueKind, item=None) -> ModelForm:
    extra = {}
    if kind.model is Indicator:
        extra["project_types"] = selectors.project_types_of(request.user, active_only=False)
    return kind.form(request.POST or None, instance=item, **extra)


def _save(request: HttpRequest, kind_name: str, item=None) -> HttpResponse:
    kind = _kind(kind_name)
    form = _form(request, kind, item)
    if request.method == "POST" and form.is_valid():
        try:
            kind.save(actor=request.user, **{kind.item_argument: item}, **form.cleaned_data)
        except ProjectError as error:
            form.add_error("name" if isinstance(error, CatalogueNameTaken) else None, error.message)
        else:
            messages.success(request, _("%(kind)s已保存。") % {"kind": kind.title})
            return redirect("projects:catalogue")
    return render(
        request,
        "projects/catalogue_form.html",
        {"form": form, "kind": kind, "kind_name": kind_name, "item": item},
    )


@permission_required("projects.manage_catalogue", raise_exception=True)
def catalogue_create(request: HttpRequest, kind: str) -> HttpResponse:
    return _save(request, kind)


@permission_required("projects.manage_catalogue", raise_exception=True)
def catalogue_edit(request: HttpRequest, kind: str, item_id: int) -> HttpResponse:
    return _save(request, kind, _item(request, _kind(kind), item_id))


@require_POST
@permission_required("projects.manage_catalogue", raise_exception=True)
def catalogue_set_active(request: HttpRequest, kind: str, item_id: int) -> HttpResponse:
    """Deactivate an entry (or bring it back); it stays on record for past applications."""
    item = _item(request, _kind(kind), item_id)
    is_active = request.POST.get("is_active") == "1"
    try:
        catalogue_services.catalogue_item_set_active(actor=request.user, item=item, is_active=is_active)
    except ProjectError as error:
        messages.error(request, error.message)
    else:
        message = _("「%(name)s」已启用。") if is_active else _("「%(name)s」已停用，历史记录不受影响。")
        messages.success(request, message % {"name": item.name})
    return redirect("projects:catalogue")
