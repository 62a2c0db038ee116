"""The statistics listen to the apps below them: a changed figure queues the debounced recompute."""

from django.dispatch import receiver

from activities.signals import figures_changed

from .services import stats_queue_for_achievement, stats_queue_for_project


@receiver(figures_changed, dispatch_uid="stats.queue_recompute")
def queue_recompute(sender, *, project=None, achievement=None, **kwargs) -> None:
    if achievement is not None:
        stats_queue_for_achievement(achievement)
    elif project is not None:
        stats_queue_for_project(project)
