from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "deadlines"
    verbose_name = "日程与提醒"
