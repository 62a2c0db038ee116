"""Writes to the catalogue: project types, indicators and the review rubric, kept by the secretary.

Nothing is deleted: an entry in use is deactivated, so past applications and sheets keep it.
Every change writes a CatalogueEvent (who, when, which entry, each field before and after),
because a changed rubric or indicator changes how every later application is judged.
"""

import uuid
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from config.idempotency import ClientIdInUse, created_before
from members.models import User
from members.roles import roles_of

from .enums import CatalogueAction, CatalogueKindName
from .errors import CatalogueNameTaken, ProjectError
from .models import CatalogueEvent, CriterionScore, Indicator, ProjectType, RubricCriterion

CatalogueItem = ProjectType | Indicator | RubricCriterion

# The fields whose changes the record keeps, per kind of entry.
RECORDED_FIELDS: dict[type, tuple[str, ...]] = {
    ProjectType: ("name", "organisation_type", "description", "position"),
    Indicator: ("name", "unit", "project_type", "position"),
    RubricCriterion: ("name", "description", "max_score", "weight", "position"),
}
KIND_NAMES: dict[type, str] = {
    ProjectType: CatalogueKindName.PROJECT_TYPE,
    Indicator: CatalogueKindName.INDICATOR,
    RubricCriterion: CatalogueKindName.CRITERION,
}


def _catalogue_committee_id(actor: User, item: CatalogueItem | None = None) -> int:
    committee_id = roles_of(actor).committee_id
    if committee_id is None or not actor.has_perm("projects.manage_catalogue"):
        raise ProjectError(_("只有党委书记可以维护项目类型、指标和评审维度。"))
    if item is not None and item.committee_id != committee_id:
        raise ProjectError(_("该条目不存在。"))
    return committee_id


def _recorded_values(item: CatalogueItem) -> dict[str, str]:
    """The recorded fields as text, as the record shows them (a type by its name)."""
    values = {}
    for name in RECORDED_FIELDS[type(item)]:
        has_labels = bool(item._meta.get_field(name).choices)
        value = getattr(item, f"get_{name}_display")() if has_labels else getattr(item, name)
        if isinstance(value, Decimal):
            value = format(value.normalize(), "f")  # 1.50 -> 1.5 and 10.00 -> 10, never 1E+1
        values[name] = "" if value is None else str(getattr(value, "name", value))
    return values


def _record(actor: User, item: CatalogueItem, action: str, before: dict[str, str] | None = None) -> None:
    after = _recorded_values(item)
    changes = (
        {} if before is None else {name: [before[name], after[name]] for name in after if before[name] != after[name]}
    )
    CatalogueEvent.objects.create(
        committee_id=item.committee_id,
        actor=actor,
        item_kind=KIND_NAMES[type(item)],
        item_id=item.pk,
        item_name=item.name,
        action=action,
        changes=changes,
    )


def _created_before(model: type, client_id: uuid.UUID | None, actor: User) -> CatalogueItem | None:
    """The entry this actor already created with this form's one-time id, if any."""
    try:
        return created_before(model, client_id, owner="created_by", actor=actor)
    except ClientIdInUse as error:
        raise ProjectError(_("这份表单的提交编号已被使用，请刷新页面后重新填写。")) from error


def _catalogue_save(actor: User, item: CatalogueItem, before: dict[str, str] | None, *, kind: str) -> CatalogueItem:
    """Save with a clear message when the name is taken, also when two saves race; then record it."""
    name_taken = CatalogueNameTaken(
        _("本校已有名为「%(name)s」的%(kind)s，请换一个名称。") % {"name": item.name, "kind": kind}
    )
    if type(item).objects.filter(committee_id=item.committee_id, name=item.name).exclude(pk=item.pk).exists():
        # The name may be taken by a racing copy of this post, committed since the caller's first
        # look for it: that copy's entry (made and recorded) is the answer, not an error.
        if before is None and (earlier := _created_before(type(item), item.client_id, actor)) is not None:
            return earlier
        raise name_taken
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError as exc:
        if before is None and (earlier := _created_before(type(item), item.client_id, actor)) is not None:
            return earlier  # a racing copy of this post created it and recorded it
        raise name_taken from exc
    if before is None:
        _record(actor, item, CatalogueAction.CREATED)
    elif before != _recorded_values(item):
        _record(actor, item, CatalogueAction.CHANGED, before)
    return item


def _new_or_locked(
    model: type, item: CatalogueItem | None, committee_id: int, *, actor: User, client_id: uuid.UUID | None
) -> tuple[CatalogueItem, dict | None]:
    """A new entry of the committee, or the given one locked for the edit with its recorded values."""
    if item is None:
        return model(committee_id=committee_id, created_by=actor, client_id=client_id), None
    item = model.objects.select_for_update().get(pk=item.pk)
    return item, _recorded_values(item)


@transaction.atomic
def catalogue_project_type_save(
    *,
    actor: User,
    project_type: ProjectType | None = None,
    name: str,
    organisation_type: str,
    description: str = "",
    position: int = 0,
    client_id: uuid.UUID | None = None,
) -> ProjectType:
    """Create a project type, or edit the given one, in the actor's committee.

    A create with a `client_id` (the form's one-time id) repeated answers with the type the first made.
    """
    committee_id = _catalogue_committee_id(actor, project_type)
    if project_type is None and (earlier := _created_before(ProjectType, client_id, actor)) is not None:
        return earlier
    project_type, before = _new_or_locked(ProjectType, project_type, committee_id, actor=actor, client_id=client_id)
    project_type.name = name.strip()
    project_type.organisation_type = organisation_type
    project_type.description = description
    project_type.position = position
    return _catalogue_save(actor, project_type, before, kind=_("项目类型"))


@transaction.atomic
def catalogue_indicator_save(
    *,
    actor: User,
    indicator: Indicator | None = None,
    name: str,
    unit: str,
    project_type: ProjectType | None = None,
    position: int = 0,
    client_id: uuid.UUID | None = None,
) -> Indicator:
    """Create an indicator, or edit the given one; the type, when given, is of the same committee.

    A create with a `client_id` (the form's one-time id) repeated answers with the indicator the first made.
    """
    committee_id = _catalogue_committee_id(actor, indicator)
    if indicator is None and (earlier := _created_before(Indicator, client_id, actor)) is not None:
        return earlier
    if project_type is not None and project_type.committee_id != committee_id:
        raise ProjectError(_("项目类型不存在。"))
    indicator, before = _new_or_locked(Indicator, indicator, committee_id, actor=actor, client_id=client_id)
    indicator.name = name.strip()
    indicator.unit = unit.strip()
    indicator.project_type = project_type
    indicator.position = position
    return _catalogue_save(actor, indicator, before, kind=_("指标"))


@transaction.atomic
def catalogue_criterion_save(
    *,
    actor: User,
    criterion: RubricCriterion | None = None,
    name: str,
    max_score: int,
    weight: Decimal,
    description: str = "",
    position: int = 0,
    client_id: uuid.UUID | None = None,
) -> RubricCriterion:
    """Create a rubric criterion, or edit the given one.

    The maximum and the weight of a criterion already used in a score sheet stay fixed, so
    recorded weighted totals keep their meaning; retire it and add a new one instead. A create
    with a `client_id` (the form's one-time id) repeated answers with the criterion the first made.
    """
    committee_id = _catalogue_committee_id(actor, criterion)
    if criterion is None and (earlier := _created_before(RubricCriterion, client_id, actor)) is not None:
        return earlier
    if max_score < 1:
        raise ProjectError(_("满分至少为 1 分。"))
    if weight <= 0:
        raise ProjectError(_("权重必须大于 0。"))
    criterion, before = _new_or_locked(RubricCriterion, criterion, committee_id, actor=actor, client_id=client_id)
    if before is not None:
        changes_scale = criterion.max_score != max_score or Decimal(criterion.weight) != Decimal(weight)
        if changes_scale and CriterionScore.objects.filter(criterion=criterion).exists():
            raise ProjectError(
                _("「%(name)s」已有评分记录，不能修改满分或权重；如需调整，请停用后新建评审维度。")
                % {"name": criterion.name}
            )
    criterion.name = name.strip()
    criterion.description = description
    criterion.max_score = max_score
    criterion.weight = weight
    criterion.position = position
    return _catalogue_save(actor, criterion, before, kind=_("评审维度"))


@transaction.atomic
def catalogue_item_set_active(*, actor: User, item: CatalogueItem, is_active: bool) -> CatalogueItem:
    """Deactivate (or bring back) a project type, indicator or criterion; nothing is deleted."""
    _catalogue_committee_id(actor, item)
    item = type(item).objects.select_for_update().get(pk=item.pk)
    if item.is_active != is_active:
        item.is_active = is_active
        item.save(update_fields=["is_active"])
        _record(actor, item, CatalogueAction.REACTIVATED if is_active else CatalogueAction.DEACTIVATED)
    return item
