from django.apps import AppConfig


class YearEndConfig(AppConfig):
    name = "yearend"
    verbose_name = "年终考核与年度报告"

    def ready(self) -> None:
        # The home page's to-do sections of the year's end (members.home's registry).
        from . import home  # noqa: F401, PLC0415 - app loading: the sections read models
