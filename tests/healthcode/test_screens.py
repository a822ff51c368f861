"""Every health code screen finished (issue 11): the reading a 'scan + temperature' gate needs, the rules and the
reasons in the reader's language only, the live code's date and refresh button, the paper code's code to type."""

import re
from datetime import timedelta

import pytest
from nicegui import ui
from nicegui.testing import User

from models.common import utcnow
from services import db
from services.errors import DomainError
from services.healthcode import checkpoints, codes
from services.healthcode.records import record_clinic_outcome
from services.healthcode.rules import rulebook
from tests.support.healthcode import RESIDENT_PHONE, checkpoint_id, live_token, resident, scan
from tests.support.pages import not_see, see, sign_in_resident, sign_in_staff
from tests.support.waits import wait_for

pytestmark = pytest.mark.filterwarnings('ignore')


def passes_here() -> int:
    """Passes and stops recorded at the first checkpoint in the last hours."""
    with db.read_session() as session:
        return sum(p + s for _hour, p, s in checkpoints.hourly_counts(session, checkpoint_id=checkpoint_id()))


def text_of(user: User, marker: str) -> str:
    """The text of the one label called `marker`."""
    (label,) = user.find(marker=marker).elements
    assert isinstance(label, ui.label)
    return label.text


def test_a_scan_without_a_reading_at_a_temperature_gate_is_refused_and_not_recorded() -> None:
    with pytest.raises(DomainError) as refused:
        scan(live_token(), '')
    assert refused.value.message == checkpoints.NEEDS_READING
    assert passes_here() == 0
    assert scan('SCC1:GARBAGE', '').result == 'refused'  # a bad code is still said to be bad


async def test_temperature_gate_asks_for_the_reading_next_to_the_field(user: User) -> None:
    token = live_token()
    await sign_in_staff(user, 'gate1')
    await user.open(f'/checkpoint/{checkpoint_id()}')
    await see(user, marker='scc-scanner-input')
    user.find(marker='scc-scanner-input').type(token).trigger('keydown.enter')
    await see(user, marker='scc-temperature-needed')
    await see(user, '请先输入体温：本检查点每次扫码都需测量体温。')
    await not_see(user, marker='scc-verdict')
    assert passes_here() == 0
    user.find(marker='scc-temperature').type('36.5')
    await not_see(user, marker='scc-temperature-needed')
    user.find(marker='scc-scanner-input').type(token).trigger('keydown.enter')
    await see(user, marker='scc-verdict')
    await wait_for(lambda: passes_here() == 1)


async def test_rules_page_in_chinese_shows_no_rule_ids_and_no_english(user: User) -> None:
    await user.open('/code/rules')
    await see(user, marker='scc-rule-text')
    book = rulebook()
    texts = [e.text for e in user.find(marker='scc-rule-text').elements if isinstance(e, ui.label)]
    assert sorted(texts) == sorted(rule.text_zh for rule in book.rules.values())
    shown = [label.text for marker in ('scc-rule-colour', 'scc-rule-text', 'scc-rule-ends')
             for label in user.find(marker=marker).elements if isinstance(label, ui.label)]  # fmt: skip
    for rule in book.rules.values():
        assert all(rule.id not in text and rule.text_en not in text and rule.ends_en not in text for text in shown)
    assert set(shown) >= {'黄码', '红码'}


async def test_reasons_show_words_and_the_checkpoints_chinese_name(user: User) -> None:
    _me, pid = resident()
    with db.session_scope() as session:
        record_clinic_outcome(session, person_id=pid, outcome='home_isolation', consultation_id=11,
                              at=utcnow() - timedelta(minutes=5))  # fmt: skip
    scan(live_token(), '38.6')  # a fever reading at the first checkpoint
    with db.read_session() as session:
        gate = checkpoints.get_checkpoint(session, checkpoint_id=checkpoint_id())
    await sign_in_resident(user, RESIDENT_PHONE, landing_marker='scc-home-code')
    await user.open('/code')
    await see(user, '原因：发热门诊问诊')
    await see(user, gate.name_zh)
    await see(user, '发热门诊')
    await not_see(user, 'consultation')
    await not_see(user, gate.name_en)
    await not_see(user, 'fever clinic')


async def test_live_code_shows_the_date_and_a_refresh_button_reissues_it(user: User) -> None:
    await sign_in_resident(user, RESIDENT_PHONE, landing_marker='scc-home-code')
    await user.open('/code')
    await see(user, marker='scc-code-date')
    assert re.fullmatch(r'\d{4}-\d\d-\d\d', text_of(user, 'scc-code-date'))
    before = text_of(user, 'scc-token')
    user.find(marker='scc-code-refresh').click()
    await wait_for(lambda: text_of(user, 'scc-token') != before)
    assert text_of(user, 'scc-token').startswith('SCC1:')


async def test_paper_code_shows_a_code_to_type_that_passes_until_revoked(user: User) -> None:
    await sign_in_resident(user, RESIDENT_PHONE, landing_marker='scc-home-code')
    await user.open('/code/paper')
    await see(user, marker='scc-paper-issue')
    user.find(marker='scc-paper-issue').click()
    await see(user, marker='scc-paper-short')
    shown = text_of(user, 'scc-paper-short')
    assert shown.startswith('手动输入码：')
    typed = shown.split('：', 1)[1]
    assert re.fullmatch(f'[{codes.SHORT_ALPHABET}]{{5}} [{codes.SHORT_ALPHABET}]{{5}}', typed)
    verdict = scan(typed.lower(), '36.5')
    assert (verdict.result, verdict.reason) == ('pass', 'Paper code: check the ID card.')
    user.find('吊销').click()
    await see(user, '已作废')
    assert scan(typed, '36.5').reason == 'This paper code was revoked.'
    assert scan('ZZZZZZZZZZ', '36.5').result == 'refused'
