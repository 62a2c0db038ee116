from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "stats"
    verbose_name = "统计与数据看板"

    def ready(self) -> None:
        # The statistics listen to the model signals of everything they read (stats.freshness), add
        # their step to the demo (a full recompute once the demo's data is in) and their home-page
        # section (a branch secretary's branch at a glance).
        from members.demo import register_demo_step  # noqa: PLC0415 - app loading

        from . import demo, home, receivers  # noqa: F401, PLC0415 - app loading: they import models

        receivers.connect()
        register_demo_step("stats", demo.seed_demo_step)
