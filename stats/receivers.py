"""The statistics listen to Django's model signals of everything they read (`stats.freshness.WATCHED`).

A save, delete or many-to-many change of a watched row queues, once its transaction commits,
the debounced recompute of the snapshots it touches, and marks them stale until then.
Connected in StatsConfig.ready(); the apps below never know of it.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save

from .freshness import WATCHED, Touch, Watched
from .services import stats_queue


def _queue(touches: list[Touch]) -> None:
    for touch in touches:
        stats_queue(committee_id=touch.committee_id, school_year=touch.school_year, scopes=touch.scopes)


def _saved(watched: Watched):
    def receiver(sender, instance, created=False, update_fields=None, raw=False, **kwargs) -> None:
        if raw:  # loaddata: the rows may point at rows not loaded yet
            return
        changed = None if created or update_fields is None else set(update_fields)
        if changed is not None and watched.fields is not None and not changed & watched.fields:
            return  # e.g. a photo's display sizes: nothing the statistics read
        _queue(watched.touches(instance))

    return receiver


def _deleted(watched: Watched):
    def receiver(sender, instance, **kwargs) -> None:
        _queue(watched.touches(instance))

    return receiver


def _m2m_changed(watched: Watched):
    def receiver(sender, instance, action, reverse, pk_set, **kwargs) -> None:
        if action not in ("post_add", "post_remove", "post_clear", "pre_clear"):
            return
        if action == "pre_clear" and not reverse:
            return  # the forward clear is queued at post_clear, with the row it belongs to
        if not reverse:
            _queue(watched.touches(instance))
            return
        # From the other side (member.activitylog_set.add(...)): the rows named, or all of them.
        rows = watched.model.objects.filter(pk__in=pk_set) if pk_set else None
        if rows is None:
            committee_id = getattr(instance, "committee_id", None)
            if committee_id is not None:
                _queue([Touch(committee_id, None, None)])
            return
        for row in rows:
            _queue(watched.touches(row))

    return receiver


_receivers: list = []  # strong references: the signals hold their receivers weakly


def connect() -> None:
    """Connect a receiver per watched model and signal (idempotent: each has a dispatch_uid)."""
    for watched in WATCHED:
        for name, signal, make in (("saved", post_save, _saved), ("deleted", post_delete, _deleted)):
            receiver = make(watched)
            _receivers.append(receiver)
            signal.connect(receiver, sender=watched.model, dispatch_uid=f"stats.{name}.{watched.label}")
        for field_name in watched.m2m:
            receiver = _m2m_changed(watched)
            _receivers.append(receiver)
            m2m_changed.connect(
                receiver,
                sender=getattr(watched.model, field_name).through,
                dispatch_uid=f"stats.m2m.{watched.label}.{field_name}",
            )
