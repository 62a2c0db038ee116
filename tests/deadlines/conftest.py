from tests.faults.conftest import processes  # noqa: F401 -- the fixture that starts and stops real workers
