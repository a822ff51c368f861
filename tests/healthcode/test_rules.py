"""Golden cases for the colour rules: every rule at its boundaries, precedence, explanations in both languages."""

from datetime import UTC, datetime, timedelta

import pytest

from services.healthcode.rules import GREEN, RED, YELLOW, RecordView, evaluate, rulebook

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
H = timedelta(hours=1)
D = timedelta(days=1)
M = timedelta(minutes=1)


def rec(kind: str, value: str = '', at: datetime = T0, **kw: object) -> RecordView:
    return RecordView(kind=kind, value=value, at=at, **kw)  # type: ignore[arg-type]


def temp(value: str, at: datetime = T0) -> RecordView:
    return rec('temperature', value, at)


def neg(at: datetime) -> RecordView:
    return rec('test', 'negative', at)


GOLDEN: list[tuple[str, list[RecordView], datetime, str]] = [
    ('no records', [], T0, GREEN),
    ('37.2 is normal', [temp('37.2')], T0 + M, GREEN),
    ('37.3 is fever', [temp('37.3')], T0 + M, YELLOW),
    ('36.5 is normal', [temp('36.5')], T0 + M, GREEN),
    ('fever stays yellow without retest', [temp('38.0')], T0 + 3 * D, YELLOW),
    ('normal retest at 59 min clears', [temp('37.5'), temp('36.8', T0 + 59 * M)], T0 + 2 * H, GREEN),
    ('normal retest at exactly 60 min clears', [temp('37.5'), temp('36.8', T0 + 60 * M)], T0 + 2 * H, GREEN),
    ('normal retest at 61 min does not clear', [temp('37.5'), temp('36.8', T0 + 61 * M)], T0 + 2 * H, YELLOW),
    ('fever retest stays yellow', [temp('37.5'), temp('37.4', T0 + 30 * M)], T0 + H, YELLOW),
    ('negative test clears fever', [temp('38.5'), neg(T0 + 5 * H)], T0 + 6 * H, GREEN),
    ('negative test before fever does not clear', [neg(T0 - H), temp('38.5')], T0 + H, YELLOW),
    ('positive test is red', [rec('test', 'positive')], T0 + M, RED),
    ('positive then negative is green', [rec('test', 'positive'), neg(T0 + 2 * D)], T0 + 3 * D, GREEN),
    (
        'close contact at 13 d 23 h is red',
        [rec('official', 'close_contact'), neg(T0 + 13 * D)],
        T0 + 13 * D + 23 * H,
        RED,
    ),
    (
        'close contact at 14 d with day-13 negative is green',
        [rec('official', 'close_contact'), neg(T0 + 13 * D)],
        T0 + 14 * D,
        GREEN,
    ),
    ('close contact at 14 d without test stays red', [rec('official', 'close_contact')], T0 + 14 * D, RED),
    (
        'close contact negative on day 12 does not count',
        [rec('official', 'close_contact'), neg(T0 + 12 * D + 23 * H)],
        T0 + 20 * D,
        RED,
    ),
    ('risk area at 6 d 23 h is yellow', [rec('official', 'risk_area')], T0 + 6 * D + 23 * H, YELLOW),
    ('risk area at 7 d is green', [rec('official', 'risk_area')], T0 + 7 * D, GREEN),
    ('declared risk-area arrival is yellow', [rec('declaration', risk_area=True)], T0 + D, YELLOW),
    ('declared symptoms are yellow', [rec('declaration', 'cough')], T0 + 10 * D, YELLOW),
    ('symptoms then negative test is green', [rec('declaration', 'cough'), neg(T0 + D)], T0 + 2 * D, GREEN),
    ('declared contact is yellow', [rec('declaration', contact=True)], T0 + D, YELLOW),
    ('empty declaration is green', [rec('declaration')], T0 + D, GREEN),
    ('no declaration for 3 days keeps green', [rec('declaration')], T0 + 3 * D + H, GREEN),
    ('no declaration for 3 days keeps yellow', [rec('declaration', 'fatigue')], T0 + 3 * D + H, YELLOW),
    ('clinic home isolation is yellow', [rec('clinic', 'home_isolation')], T0 + D, YELLOW),
    ('clinic home isolation ends after 14 d', [rec('clinic', 'home_isolation')], T0 + 14 * D, GREEN),
    ('clinic suspected is red', [rec('clinic', 'suspected')], T0 + D, RED),
    ('clinic self care keeps green', [rec('clinic', 'self_care')], T0 + D, GREEN),
    ('red beats yellow', [temp('38.0'), rec('test', 'positive', T0 + M)], T0 + H, RED),
    ('yellow beats green', [temp('36.5'), rec('official', 'risk_area', T0 + M)], T0 + H, YELLOW),
    ('manual red', [rec('manual', RED, note='x')], T0 + D, RED),
    ('manual red until ends', [rec('manual', RED, until=T0 + D)], T0 + D, GREEN),
    ('manual green clears earlier records', [rec('test', 'positive'), rec('manual', GREEN, T0 + H)], T0 + 2 * H, GREEN),
    ('records after manual green count', [rec('manual', GREEN), rec('test', 'positive', T0 + H)], T0 + 2 * H, RED),
    ('future records do not count yet', [rec('test', 'positive', T0 + D)], T0, GREEN),
]


@pytest.mark.parametrize(('name', 'records', 'now', 'colour'), GOLDEN, ids=[g[0] for g in GOLDEN])
def test_golden(name: str, records: list[RecordView], now: datetime, colour: str) -> None:
    assert evaluate(records, now).colour == colour, name


def test_reasons_name_the_rule_record_and_end() -> None:
    contact = rec('official', 'close_contact', place='泉城路')
    result = evaluate([contact, temp('38.1', T0 + H)], T0 + 2 * H)
    assert [r.rule_id for r in result.reasons] == ['close_contact', 'fever']
    first = result.reasons[0]
    assert first.record.place == '泉城路' and first.until == T0 + 14 * D and first.needs_test


def test_every_rule_explained_in_both_languages() -> None:
    book = rulebook()
    assert book.version
    for rule in book.rules.values():
        for text in (rule.text_en, rule.text_zh, rule.ends_en, rule.ends_zh):
            assert text.strip()
        assert any('\u4e00' <= c <= '\u9fff' for c in rule.text_zh + rule.ends_zh)
