"""Static file finders for which a path outside their folders is simply not there.

Django's development static handler (runserver, the live test server) turns only Http404 into an
answer; a path such as `/static/../manage.py` made the stock finders raise SuspiciousFileOperation,
which came out as a 500. These answer "not found" instead, so the handler gives its 404.
In production nginx serves /static/ from STATIC_ROOT and never asks them.
"""

from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation


class ContainedFileSystemFinder(finders.FileSystemFinder):
    def find(self, path, find_all=False, **kwargs):
        try:
            return super().find(path, find_all, **kwargs)
        except SuspiciousFileOperation:
            return []


class ContainedAppDirectoriesFinder(finders.AppDirectoriesFinder):
    def find(self, path, find_all=False, **kwargs):
        try:
            return super().find(path, find_all, **kwargs)
        except SuspiciousFileOperation:
            return []
