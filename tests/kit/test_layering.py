"""Layering: services/ and models/ never import the UI, bench or tests; views/ never import bench or tests; the kit
never imports a module; and module packages meet each other only through a module's package (its public functions)
or its events — never another module's pages or internal files."""

import ast
from pathlib import Path

import pytest

from main import MODULES
from services.settings import ROOT

MODULE_NAMES = {module.name for module in MODULES}


@pytest.fixture(autouse=True)
def fresh_state() -> None:
    """Pure functions: this module needs no database, so conftest's per-test reset is skipped (faster)."""


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every import in `path`, `from a import b` also as `a.b` (b may be a module)."""
    tree = ast.parse(path.read_text(encoding='utf-8'), filename=str(path))
    package = '.'.join(path.relative_to(ROOT).with_suffix('').parts[:-1]) if path.is_relative_to(ROOT) else ''
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ''
            if node.level:  # relative: resolve against this file's package
                parent = package.split('.')[: len(package.split('.')) - node.level + 1] if package else []
                base = '.'.join([*parent, base] if base else parent) or f'{"." * node.level}{node.module or ""}'
            found += [(node.lineno, base)] + [(node.lineno, f'{base}.{alias.name}') for alias in node.names]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, 'attr', getattr(node.func, 'id', '')) in ('import_module', '__import__')
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.args[0].value))
    return sorted(found, key=lambda item: item[0])  # ast.walk is breadth-first: back to the order of the file


def module_of(path: Path, root: Path) -> tuple[str, str | None]:
    """('services' | 'views' | 'models' | ..., the product module the file belongs to or None for the kit)."""
    parts = path.relative_to(root).parts
    layer = parts[0]
    if len(parts) > 2 and parts[1] in MODULE_NAMES:
        return layer, parts[1]
    if layer == 'models' and len(parts) == 2 and parts[1].removesuffix('.py') in MODULE_NAMES:
        return layer, parts[1].removesuffix('.py')
    return layer, None


def violations_in(path: Path, root: Path = ROOT) -> list[str]:
    """Every import in `path` that breaks a layering rule, as `file:line imports module (rule)`."""
    layer, own = module_of(path, root)
    hits = []
    for line, imported in imports_of(path):
        top, *rest = imported.split('.')
        rule = ''
        if layer in ('services', 'models') and top in ('nicegui', 'views', 'bench', 'tests'):
            rule = 'the domain never imports the UI, bench or tests'
        elif layer == 'views' and top in ('bench', 'tests'):
            rule = 'pages never import bench or tests'
        elif layer == 'views' and own is None and top == 'views' and rest and rest[0] in MODULE_NAMES:
            rule = 'the kit never imports a module'
        elif top in ('views', 'services') and rest and rest[0] in MODULE_NAMES and rest[0] != own and layer != 'models':
            other = rest[0]
            if top == 'views' and own is not None:
                rule = f'{own} reaches into the pages of {other}'
            elif top == 'services' and own is not None and len(rest) > 2 and rest[1] != 'events':
                rule = f'{own} reaches into {other}: use services.{other} (its package) or services.{other}.events'
            elif (
                top == 'services' and own is not None and len(rest) == 2 and rest[1] != 'events'
                and (root / 'services' / other / f'{rest[1]}.py').exists() and not _exported(root, other, rest[1])
            ):  # fmt: skip
                # `from services.other import name` is fine for a name the package exports, not an internal file
                rule = f'{own} imports the internal file {other}/{rest[1]}.py'
        if rule:
            hits.append(f'{path.relative_to(root)}:{line} imports {imported} ({rule})')
    return hits


def _exported(root: Path, module: str, name: str) -> bool:
    init = root / 'services' / module / '__init__.py'
    return init.exists() and any(i == f'services.{module}.{name}' for _line, i in imports_of(init))


def test_every_layer_keeps_its_rules() -> None:
    files = [path for folder in ('services', 'models', 'views') for path in sorted((ROOT / folder).rglob('*.py'))]
    assert len(files) > 40, 'too few files found: is the layout different?'
    violations = [hit for path in files for hit in violations_in(path)]
    assert not violations, 'layering rules broken:\n' + '\n'.join(violations)


def test_every_module_is_a_package_on_both_sides() -> None:
    for name in MODULE_NAMES:
        assert (ROOT / 'views' / name / '__init__.py').exists(), f'views/{name}/ is not a package'
        assert (ROOT / 'services' / name / '__init__.py').exists(), f'services/{name}/ is not a package'
        assert (ROOT / 'services' / name / 'demo.py').exists() or name == 'foundation', f'no demo data for {name}'
        assert (ROOT / 'services' / name / 'events.py').exists(), f'services/{name}/events.py is missing'


def test_the_check_finds_each_kind_of_violation(tmp_path: Path) -> None:
    """The checker itself works: each form of import is caught, and harmless ones are not."""

    def write(relative: str, text: str) -> Path:
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding='utf-8')
        return path

    write('services/shows/__init__.py', 'from services.shows import common\n')
    write('services/shows/common.py', '')
    write('services/shows/lifecycle.py', '')
    domain = write('services/clinic/sample.py',
                   'import nicegui\nfrom views.kit.frame import page\nimport bench.routes\n'
                   'from tests.support import x\n'
                   "import importlib\nimportlib.import_module('nicegui.ui')\nfrom services import db, shows\n"
                   'from services.shows.events import SHOW_CHANGED\nfrom services.shows import common\n'
                   'from services.shows.lifecycle import tick\nfrom services.shows import lifecycle\n')  # fmt: skip
    hits = [line.split(' imports ')[1].split(' (')[0] for line in violations_in(domain, tmp_path)]
    assert hits == ['nicegui', 'views.kit.frame', 'views.kit.frame.page', 'bench.routes', 'tests.support',
                    'tests.support.x', 'nicegui.ui', 'services.shows.lifecycle', 'services.shows.lifecycle.tick',
                    'services.shows.lifecycle']  # fmt: skip
    page = write('views/clinic/sample.py',
                 'from views.kit import live\nfrom views.shows.watch import x\nfrom views.clinic import room\n'
                 'from services.shows import common\nimport tests.support.pages\n')  # fmt: skip
    hits = [line.split(' imports ')[1].split(' (')[0] for line in violations_in(page, tmp_path)]
    assert hits == ['views.shows.watch', 'views.shows.watch.x', 'tests.support.pages']
    kit = write('views/kit/sample.py', 'from views.healthcode import widgets\nfrom views.kit import call\n')
    assert [h.split(' imports ')[1].split(' (')[0] for h in violations_in(kit, tmp_path)] == [
        'views.healthcode',
        'views.healthcode.widgets',
    ]
