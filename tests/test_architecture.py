"""App boundaries: accounts ← directory ← coordination ← reporting, with leaves anyone may use.

`accounts` imports nothing of ours but `common`, `directory` only `accounts`, `coordination` both,
`reporting` all three, and nothing imports `reporting`. `audit`, `tabular` and `maintenance` are
leaves: they import none of our apps (but `common`), and every app may import them. `common`
(model_update, service errors on forms, kana folding) is below everything and imports nothing of
ours. docs/architecture.md draws the picture.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LEAVES = {"audit", "tabular", "maintenance"}
LAYERS = ["accounts", "directory", "coordination", "reporting"]
# Each layer may import the layers below it, the leaves and common; a leaf only common.
ALLOWED = {app: set(LAYERS[:position]) | LEAVES | {"common"} for position, app in enumerate(LAYERS)}
ALLOWED.update({leaf: {"common"} for leaf in LEAVES})
ALLOWED["common"] = set()
# The demo office is built from every layer's models but the report's; nothing imports it.
ALLOWED["demo"] = {"accounts", "directory", "coordination", "common"} | LEAVES
OUR_APPS = set(ALLOWED) | {"config"}


def imported_apps(path: Path) -> set[str]:
    """Our apps a module imports (absolute imports, wherever they are in the file)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names & OUR_APPS


def wrong_arrows(app: str, paths, *, root: Path = ROOT) -> dict[str, set[str]]:
    """The modules of an app that import an app it may not, with those apps."""
    wrong = {str(path.relative_to(root)): imported_apps(path) - ALLOWED[app] - {app} for path in paths}
    return {path: apps for path, apps in wrong.items() if apps}


@pytest.mark.parametrize("app", sorted(ALLOWED))
def test_an_app_imports_only_the_apps_below_it(app):
    assert wrong_arrows(app, (ROOT / app).rglob("*.py")) == {}


def test_nothing_imports_reporting_or_the_demo():
    assert [app for app, allowed in ALLOWED.items() if {"reporting", "demo"} & allowed] == []


def test_the_layers_are_the_documented_picture():
    picture = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert "accounts ← directory ← coordination ← reporting" in picture
    assert ALLOWED["accounts"] == LEAVES | {"common"}
    assert ALLOWED["directory"] == {"accounts", "common"} | LEAVES


@pytest.mark.parametrize(
    ("app", "source", "wrong"),
    [
        ("accounts", "from directory.models import District\n", {"directory"}),
        ("directory", "import coordination.models\n", {"coordination"}),
        ("coordination", "def build():\n    from reporting.quarterly import build_quarterly_report\n", {"reporting"}),
        ("tabular", "from accounts.models import User\n", {"accounts"}),
        ("audit", "from coordination import models\n", {"coordination"}),
        ("reporting", "from accounts.models import Office\nfrom tabular import dates\n", set()),
    ],
)
def test_the_boundary_check_sees_a_wrong_arrow(tmp_path, app, source, wrong):
    module = tmp_path / "module.py"
    module.write_text(source)
    assert wrong_arrows(app, [module], root=tmp_path) == ({"module.py": wrong} if wrong else {})


# Inside coordination: an area's models and services build only on the areas before it.
AREAS = ["clients", "logs", "events", "referrals", "followups", "needs"]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("area", AREAS)
@pytest.mark.parametrize("layer", ["models", "services"])
def test_an_areas_models_and_services_build_only_on_the_areas_before_it(area, layer):
    later = AREAS[AREAS.index(area) + 1 :]
    imported = imported_modules(ROOT / "coordination" / area / f"{layer}.py")
    assert {module for module in imported for other in later if module.startswith(f"coordination.{other}")} == set()
