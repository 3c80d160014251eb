"""App boundaries: common imports nothing of ours, tabular only common, directory only those two; nothing imports reporting."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OUR_APPS = {"config", "common", "tabular", "directory", "coordination", "reporting", "audit", "maintenance"}
# tabular (spreadsheets, typed dates, the import flow) is below every app and may be used by all.
ALLOWED = {
    # Small helpers (model_update, service errors on forms, kana folding): below every app.
    "common": set(),
    "tabular": {"common"},
    "directory": {"common", "tabular"},
    "coordination": {"common", "directory", "tabular"},
    "reporting": {"common", "directory", "coordination", "tabular"},
    # The access log works through middleware and signals: it imports none of ours, none imports it.
    "audit": {"common"},
    # Backups and restores work on the database as a whole: no app's models or services.
    "maintenance": {"common"},
}


def imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names & OUR_APPS


@pytest.mark.parametrize("app", sorted(ALLOWED))
def test_an_app_imports_only_the_apps_below_it(app):
    wrong = {
        str(path.relative_to(ROOT)): imported_apps(path) - ALLOWED[app] - {app}
        for path in (ROOT / app).rglob("*.py")
    }
    assert {path: apps for path, apps in wrong.items() if apps} == {}


def test_the_boundary_check_sees_a_wrong_arrow(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from coordination.models import Client\nimport reporting.x\n")
    assert imported_apps(bad) == {"coordination", "reporting"}
