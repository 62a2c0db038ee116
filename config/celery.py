"""Celery application.

Without REDIS_URL the settings make tasks run eagerly in the web process (the embedded
run); with it, a real broker carries them to separate worker and beat processes.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("dangjian")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
