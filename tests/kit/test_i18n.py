"""Every string the app writes has a Simplified Chinese translation, with the same {placeholders}.

msgids are found the way Babel finds them (keywords `_` and `N_`) in models/, services/ and views/; strings that
reach `_()` indirectly (tabs, role labels, staff links, service tiles) are checked after the app registered them.
"""

import ast
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from nicegui.testing import User

from services.i18n import catalogue, catalogue_files, translate
from services.settings import ROOT

SOURCE_DIRS = ('models', 'services', 'views')
KEYWORDS = {'_': None, 'N_': None}


def extracted_msgids() -> dict[str, list[str]]:
    """msgid → where it is used, for every `_('...')` and `N_('...')` in the source."""
    found: dict[str, list[str]] = {}
    for folder in SOURCE_DIRS:
        for filename, lineno, message, _comments, _context in extract_from_dir(
            ROOT / folder, method_map=[('**.py', 'python')], keywords=KEYWORDS
        ):
            msgid = message[0] if isinstance(message, tuple) else message
            if msgid:
                found.setdefault(msgid, []).append(f'{folder}/{filename}:{lineno}')
        # Babel's tokenizer does not look inside f-strings (Python 3.11); the syntax tree does.
        for path in sorted((ROOT / folder).rglob('*.py')):
            for node in ast.walk(ast.parse(path.read_text(encoding='utf-8'))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id in KEYWORDS
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)
                    and node.args[0].value
                ):
                    found.setdefault(node.args[0].value, []).append(f'{path.relative_to(ROOT)}:{node.lineno}')
    return found


def merged_catalogue() -> dict[str, str]:
    """The zh-CN catalogue as the app loads it, read afresh."""
    catalogue.cache_clear()
    return catalogue('zh-CN')


def placeholders(text: str) -> set[str]:
    """The names of the {placeholders} in `text`."""
    return {field for _lit, field, _spec, _conv in string.Formatter().parse(text) if field is not None}


def test_every_msgid_has_a_chinese_translation() -> None:
    found = extracted_msgids()
    assert len(found) > 100, 'the extractor found too few msgids: is the source layout different?'
    zh = merged_catalogue()
    missing = sorted(f'{msgid!r}  ({found[msgid][0]})' for msgid in found if not zh.get(msgid, '').strip())
    assert not missing, f'{len(missing)} msgid(s) without a zh_CN translation:\n' + '\n'.join(missing)


def test_placeholders_match() -> None:
    wrong = []
    for msgid, translation in merged_catalogue().items():
        try:
            expected, got = placeholders(msgid), placeholders(translation)
        except ValueError as error:  # an unbalanced brace
            wrong.append(f'{msgid!r} -> {translation!r}: {error}')
            continue
        if expected != got:
            wrong.append(f'{msgid!r} -> {translation!r}: expected {sorted(expected)}, got {sorted(got)}')
    assert not wrong, 'placeholders differ:\n' + '\n'.join(wrong)


def test_every_po_file_parses() -> None:
    files = catalogue_files('zh-CN')
    assert files, 'no catalogue in assets/locales/zh_CN/LC_MESSAGES'
    translations: dict[str, tuple[str, str]] = {}
    conflicts = []
    for path in files:
        with path.open('rb') as handle:
            parsed = read_po(handle, abort_invalid=True)  # raises on a syntax error
        assert parsed.charset.lower() in ('utf-8', 'utf8'), f'{path.name}: charset {parsed.charset}, want UTF-8'
        for message in parsed:
            if not message.id or not message.string:
                continue
            msgid, text = str(message.id), str(message.string)
            if msgid in translations and translations[msgid][1] != text:
                conflicts.append(
                    f'{msgid!r}: {translations[msgid][0]} {translations[msgid][1]!r}, {path.name} {text!r}'
                )
            translations.setdefault(msgid, (path.name, text))
    # All catalogues are merged into one: two different translations of one msgid means one silently loses.
    assert not conflicts, 'one msgid, two translations:\n' + '\n'.join(conflicts)


def test_msgids_are_literals() -> None:
    """`_(f'...')` or `_('a' + b)` can never be found in a catalogue: msgids are plain literals with {names}."""
    bad = []
    for folder in SOURCE_DIRS:
        for path in sorted((ROOT / folder).rglob('*.py')):
            tree = ast.parse(path.read_text(encoding='utf-8'), filename=str(path))
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id in KEYWORDS
                    and node.args
                    and isinstance(node.args[0], ast.JoinedStr | ast.BinOp)
                ):
                    bad.append(f'{path.relative_to(ROOT)}:{node.lineno}')
    assert not bad, 'a msgid built at run time (f-string or +):\n' + '\n'.join(bad)


async def test_indirect_labels_are_translated(user: User) -> None:
    """Labels kept in tables and passed to _() later: tabs, roles, staff links, service tiles."""
    from views.foundation import admin
    from views.kit import frame

    await user.open('/login')  # the app is registered: every module added its links and tiles
    labels = [label for _path, _icon, label in frame.RESIDENT_TABS]
    labels += list(admin.ROLE_LABELS.values())
    labels += [link.label for link in frame.STAFF_LINKS]
    labels += [text for tile in frame.SERVICE_TILES for text in (tile.label, tile.description)]
    zh = merged_catalogue()
    missing = sorted({label for label in labels if not zh.get(label, '').strip()})
    assert not missing, 'labels without a zh_CN translation (mark them N_() and translate):\n' + '\n'.join(missing)


@pytest.mark.parametrize('language', ['en-US', 'zh-CN'])
def test_translate_speaks_the_language(language: str) -> None:
    catalogue.cache_clear()
    expected = 'Access refused' if language == 'en-US' else '无权访问'
    assert translate(language, 'Access refused') == expected


def test_catalogue_path_is_in_the_project() -> None:
    assert all(Path(p).is_relative_to(ROOT / 'assets' / 'locales') for p in catalogue_files('zh-CN'))
