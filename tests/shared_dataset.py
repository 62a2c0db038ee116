"""One dataset for a whole module of read-only tests, built once and rolled back at the end.

Building a school (or the benchmarks' synthetic one) costs seconds; tests that only read it
share one copy. It is written inside an outer transaction that is rolled back when the module
is done; each test still runs in its own savepoint (pytest-django's `db`), so whatever a test
writes is gone before the next one, and nothing is left for the rest of the suite.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db import transaction
from django.test import override_settings

T = TypeVar("T")
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@contextmanager
def module_dataset(django_db_blocker, build: Callable[[], T], **settings: Any) -> Iterator[T]:
    """``build()``'s result, its rows visible to the module's tests and rolled back after them."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS, **settings):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = build()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
        # The build's on-commit callbacks would never run (its transaction is rolled back); left
        # queued, they would swallow what the tests' own commits register.
        transaction.get_connection().run_on_commit.clear()
    try:
        yield built
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
