"""Creates that happen once, whatever the network does.

Every form that creates a row carries a one-time id for that row, made when the form is shown
(`ClientIdField`); the row stores it in a unique `client_id` column (`client_id_field`). A second
post with the same id (a double tap, a reload, a retry after a dropped connection) answers with
the row the first one made; two posts racing each other make one row, the loser's insert meeting
the unique constraint (`create_once`). The id is a UUID because the phone makes its records' ids
itself, offline (the capture outbox, `static/js/outbox.js`), and sends them the same way: the
activity and each of its photos carry their own. An id is bound to its owner and, where the row
hangs from a parent (a photo from its activity, an activity from its project), to that parent
(`within`): the same id sent for another user's row or under another parent is refused, never
answered with a row that is not the one asked for.
"""

import uuid
from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext_lazy as _

Row = TypeVar("Row", bound=models.Model)


def client_id_field() -> models.UUIDField:
    return models.UUIDField(
        _("提交编号"),
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text=_("创建时由表单（或手机）生成的一次性编号：重复提交只会得到同一条记录"),
    )


class ClientIdField(forms.UUIDField):
    """A hidden one-time id, new each time an unbound form is shown; a bound form keeps the posted one."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.HiddenInput)
        kwargs.setdefault("initial", uuid.uuid4)
        super().__init__(**kwargs)

    def to_python(self, value):
        # Not the user's input: a missing or mangled id (an old page, a tampered post) must not
        # become an error nobody can see. The post then goes through without one.
        try:
            return super().to_python(value)
        except forms.ValidationError:
            return None


def parse_client_id(value: object) -> uuid.UUID | None:
    """A client-made id as sent by the phone (any UUID spelling), or None when it is not one."""
    try:
        return uuid.UUID(str(value).strip())
    except (TypeError, ValueError, AttributeError):
        return None


class ClientIdInUse(Exception):
    """The id names a row that another user created, or one under another parent: never hand that row out."""


def created_before(
    model: type[Row], client_id: uuid.UUID | None, *, owner: str, actor, within: dict[str, int] | None = None
) -> Row | None:
    """The row this actor already created under this id, if any.

    `within` names the parent the row must hang from (e.g. ``{"activity_id": 7}``): an id already
    used under another parent is refused like another user's.
    """
    if client_id is None:
        return None
    row = model._default_manager.filter(client_id=client_id).first()
    if row is None:
        return None
    if getattr(row, f"{owner}_id") != actor.pk:
        raise ClientIdInUse(client_id)
    if any(getattr(row, field) != value for field, value in (within or {}).items()):
        raise ClientIdInUse(client_id)
    return row


def create_once(
    model: type[Row],
    client_id: uuid.UUID | None,
    *,
    owner: str,
    actor,
    create: Callable[[], Row],
    within: dict[str, int] | None = None,
) -> Row:
    """`create()` (which must store `client_id` on its row) unless the id names an earlier row of the
    actor (under the same parent, see `created_before`): then that row. Call it inside the caller's
    transaction, after the caller's locks."""
    if (row := created_before(model, client_id, owner=owner, actor=actor, within=within)) is not None:
        return row
    try:
        with transaction.atomic():
            return create()
    except IntegrityError:
        # A concurrent post with the same id committed first; its row is the answer.
        if (row := created_before(model, client_id, owner=owner, actor=actor, within=within)) is None:
            raise
        return row
