"""The portal's own settings plus the floor view's URL (bench/urls.py), for the servers the
browser and load benchmarks start (bench/site.py). Nothing else differs from production."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
