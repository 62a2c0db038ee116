"""What activities tell the apps above them. Sent by this app's services, never by models or views.

`figures_changed` says a write changed figures the statistics count: an activity log, a photo,
or an achievement's status. It is sent inside the write's transaction; the receiver (the
statistics, `stats.receivers`) defers its own work until the transaction commits, so a
rolled-back write changes nothing. Exactly one of ``project`` and ``achievement`` is given.
"""

from django.dispatch import Signal

figures_changed = Signal()


def project_figures_changed(project) -> None:
    """An activity or photo of the project was written or archived."""
    figures_changed.send(sender=project.__class__, project=project, achievement=None)


def achievement_figures_changed(achievement) -> None:
    """An achievement was verified, or lost its verification."""
    figures_changed.send(sender=achievement.__class__, project=None, achievement=achievement)
