from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = "活动与成果"

    def ready(self) -> None:
        # Registers the home page's to-do sections of achievements and delegation (members.home) and this
        # app's part of the demo (members.demo); both modules read models, so they load here.
        from members.demo import register_demo_step  # noqa: PLC0415 - app loading

        from . import demo, home  # noqa: F401, PLC0415 - app loading

        register_demo_step("activities", demo.seed_demo_step)
