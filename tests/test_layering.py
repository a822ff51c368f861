"""Layering: services/ and models/ never import nicegui or views (domain logic runs without a UI)."""

import ast
from pathlib import Path

import pytest

from services.settings import ROOT


@pytest.fixture(autouse=True)
def fresh_state() -> None:
    """Pure functions: this module needs no database, so conftest's per-test reset is skipped (faster)."""


FORBIDDEN = ('nicegui', 'views')
DOMAIN_DIRS = ('services', 'models')


def forbidden_imports(path: Path, root: Path = ROOT) -> list[str]:
    """`file:line module` for every import of a forbidden package in `path`."""
    tree = ast.parse(path.read_text(encoding='utf-8'), filename=str(path))
    found = []
    for node in ast.walk(tree):
        modules: list[str] = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module]
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            # `from ..views import x` inside services/ would reach the UI too.
            modules = [f'{"." * node.level}{node.module or ""}'] if 'views' in (node.module or '') else []
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, 'attr', getattr(node.func, 'id', '')) in ('import_module', '__import__')
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            modules = [node.args[0].value]
        for module in modules:
            top = module.lstrip('.').split('.')[0]
            if top in FORBIDDEN or module.startswith('.') and 'views' in module:
                found.append(f'{path.relative_to(root)}:{getattr(node, "lineno", 0)} imports {module}')
    return found


def test_services_and_models_do_not_import_the_ui() -> None:
    files = [path for folder in DOMAIN_DIRS for path in sorted((ROOT / folder).rglob('*.py'))]
    assert len(files) > 10, 'too few files found: is the layout different?'
    violations = [hit for path in files for hit in forbidden_imports(path)]
    assert not violations, 'services/ and models/ must not import nicegui or views:\n' + '\n'.join(violations)


def test_the_check_finds_a_violation(tmp_path: Path) -> None:
    """The checker itself works: each form of import is caught, and harmless ones are not."""
    path = tmp_path / 'services' / 'sample.py'
    path.parent.mkdir()
    path.write_text(
        'import nicegui\nfrom nicegui import ui\nfrom views.kit.frame import page\nimport views.kit.call as c\n'
        "import importlib\nimportlib.import_module('nicegui.ui')\nimport os.path\nfrom services import db\n"
        'from sqlmodel import Session\n',
        encoding='utf-8',
    )
    hits = [line.split(' imports ')[1] for line in forbidden_imports(path, tmp_path)]
    assert hits == ['nicegui', 'nicegui', 'views.kit.frame', 'views.kit.call', 'nicegui.ui']
