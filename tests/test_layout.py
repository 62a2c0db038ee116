"""The house as STYLE.md draws it: each app imports only the apps below it.

`make lint` runs the import-linter contract in pyproject.toml; these tests run it too, and show
that it would catch a lower app importing a higher one (on a copy of the code, with one bad
import added), and that no private name crosses a module boundary.
"""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
APPS = ["config", "branches", "members", "projects", "activities", "stats", "yearend", "deadlines"]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
    )


def copy_of_the_code(tmp_path: Path) -> Path:
    root = tmp_path / "house"
    root.mkdir()
    shutil.copy(BASE_DIR / "pyproject.toml", root / "pyproject.toml")
    for app in APPS:
        shutil.copytree(BASE_DIR / app, root / app, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def test_the_apps_import_only_the_apps_below_them():
    result = lint_imports(BASE_DIR)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Apps import only the apps below them KEPT" in result.stdout


@pytest.mark.parametrize(
    ("module", "bad_import", "message"),
    [
        (
            "activities/activity_services.py",
            "from stats import services as stats_services",
            "activities is not allowed to import stats",
        ),
        ("projects/selectors.py", "import yearend.selectors", "projects is not allowed to import yearend"),
        # A function-level import is an import all the same.
        ("members/views.py", "def _home():\n    from projects import selectors", "members is not allowed to import"),
    ],
)
def test_a_lower_app_importing_a_higher_one_breaks_the_contract(tmp_path, module, bad_import, message):
    root = copy_of_the_code(tmp_path)
    with (root / module).open("a") as source:
        source.write(f"\n\n{bad_import}\n")

    result = lint_imports(root)

    assert result.returncode != 0
    assert "BROKEN" in result.stdout and message in result.stdout


def test_no_private_name_is_imported_from_another_module():
    """`from x import _name` reaches into another of our modules' insides; it should be made public.

    A library's private type (python-docx's `_Cell`, which has no public name) is its business."""
    offenders = []
    for app in APPS:
        for path in (BASE_DIR / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                ours = isinstance(node, ast.ImportFrom) and (
                    node.level > 0 or (node.module or "").split(".")[0] in APPS
                )
                if ours:
                    offenders += [
                        f"{path.relative_to(BASE_DIR)}: {alias.name}"
                        for alias in node.names
                        if alias.name.startswith("_") and not alias.name.startswith("__")
                    ]
    assert offenders == []
