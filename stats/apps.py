from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "stats"
    verbose_name = "统计与数据看板"

    def ready(self) -> None:
        # Connects the statistics to the signals of the apps below it (activities' figures_changed).
        # and registers its home-page section (a branch secretary's branch at a glance).
        from . import home, receivers  # noqa: F401, PLC0415 - app loading: receivers import models
