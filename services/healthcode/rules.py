"""The colour rules engine: a pure function from a person's records (and the clock) to a colour with reasons.

The rules, their parameters and their plain-language texts live in assets/rules/healthcode-rules.json.
"""

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from services.settings import ROOT

RULES_FILE = ROOT / 'assets' / 'rules' / 'healthcode-rules.json'
GREEN, YELLOW, RED = 'green', 'yellow', 'red'
COLOURS = (GREEN, YELLOW, RED)
SEVERITY = {GREEN: 0, YELLOW: 1, RED: 2}


@dataclass(frozen=True)
class Rule:
    """One published rule: its colour, parameters and texts."""

    id: str
    colour: str
    params: dict[str, Any]
    text_en: str
    text_zh: str
    ends_en: str
    ends_zh: str


@dataclass(frozen=True)
class RuleBook:
    """The rules file: its version, the rules by id, and the raw JSON."""

    version: str
    rules: dict[str, Rule]
    raw: str


@dataclass(frozen=True)
class RecordView:
    """What the engine needs to know of a health record."""

    kind: str
    value: str
    at: datetime
    id: int = 0
    place: str = ''
    note: str = ''
    contact: bool = False
    risk_area: bool = False
    until: datetime | None = None


@dataclass(frozen=True)
class Reason:
    """Why a person is not green: the rule, the record that triggered it, and when or how it ends."""

    rule_id: str
    colour: str
    record: RecordView
    until: datetime | None = None  # the colour ends by itself at this time (countdown), if known
    needs_test: bool = False  # a negative nucleic acid test is (also) needed


@dataclass
class Assessment:
    """A colour with every reason in force."""

    colour: str = GREEN
    reasons: list[Reason] = field(default_factory=list)


@lru_cache
def rulebook() -> RuleBook:
    """The published rules file, parsed (cached: it changes with a release, not at run time)."""
    raw = RULES_FILE.read_text(encoding='utf-8')
    data = json.loads(raw)
    rules = {r['id']: Rule(id=r['id'], colour=r['colour'], params=r.get('params', {}), text_en=r['text_en'],
                           text_zh=r['text_zh'], ends_en=r['ends_en'], ends_zh=r['ends_zh'])
             for r in data['rules']}  # fmt: skip
    return RuleBook(version=data['version'], rules=rules, raw=raw)


def _param(rule_id: str, name: str) -> Any:
    return rulebook().rules[rule_id].params[name]


def is_fever(value: str) -> bool:
    """A reading at or above the fever threshold (readings are compared at 0.1 °C)."""
    try:
        return round(float(value), 1) >= float(_param('fever', 'threshold_c'))
    except ValueError:
        return False


def evaluate(records: list[RecordView], now: datetime) -> Assessment:
    """The colour `records` give at `now`, with every reason that is in force (most severe first)."""
    past = sorted((r for r in records if r.at <= now), key=lambda r: (r.at, r.id))
    cleared_at = max((r.at for r in past if r.kind == 'manual' and r.value == GREEN), default=None)
    if cleared_at is not None:  # a green set by hand clears what came before it
        past = [r for r in past if r.at >= cleared_at]
    negatives = [r.at for r in past if r.kind == 'test' and r.value == 'negative']
    temperatures = [r for r in past if r.kind == 'temperature']

    def negative_after(moment: datetime) -> bool:
        return any(t > moment for t in negatives)

    reasons: list[Reason] = []
    for record in past:
        reasons.extend(_reasons_for(record, now, negatives, temperatures, negative_after))
    reasons.sort(key=lambda r: (-SEVERITY[r.colour], -r.record.at.timestamp()))
    colour = reasons[0].colour if reasons else GREEN
    return Assessment(colour=colour, reasons=reasons)


def _reasons_for(record: RecordView, now: datetime, negatives: list[datetime], temperatures: list[RecordView],
                 negative_after: Any) -> list[Reason]:  # fmt: skip
    kind, value, at = record.kind, record.value, record.at
    found: list[Reason] = []
    if kind == 'temperature' and is_fever(value):
        window = timedelta(minutes=_param('fever', 'retest_minutes'))
        retested = any(at < t.at <= at + window and not is_fever(t.value) for t in temperatures)
        if not retested and not negative_after(at):
            found.append(Reason('fever', YELLOW, record, needs_test=now > at + window))
    elif kind == 'test' and value == 'positive':
        if not negative_after(at):
            found.append(Reason('positive_test', RED, record, needs_test=True))
    elif kind == 'official' and value == 'close_contact':
        end = at + timedelta(days=_param('close_contact', 'days'))
        test_from = at + timedelta(days=_param('close_contact', 'test_from_day'))
        tested = any(test_from <= t for t in negatives)
        if now < end or not tested:
            found.append(Reason('close_contact', RED, record, until=end if now < end else None, needs_test=not tested))
    elif (kind == 'official' and value == 'risk_area') or (kind == 'declaration' and record.risk_area):
        end = at + timedelta(days=_param('risk_area', 'days'))
        if now < end:
            found.append(Reason('risk_area', YELLOW, record, until=end))
    elif kind == 'clinic' and value == 'home_isolation':
        end = at + timedelta(days=_param('clinic_home_isolation', 'days'))
        if now < end and not negative_after(at):
            found.append(Reason('clinic_home_isolation', YELLOW, record, until=end, needs_test=True))
    elif kind == 'clinic' and value == 'suspected':
        if not negative_after(at):
            found.append(Reason('clinic_suspected', RED, record, needs_test=True))
    elif kind == 'manual' and value in (YELLOW, RED) and (record.until is None or now < record.until):
        found.append(Reason('manual', value, record, until=record.until))
    if kind == 'declaration':
        if value.strip() and not negative_after(at):
            found.append(Reason('symptoms', YELLOW, record, needs_test=True))
        if record.contact and not negative_after(at):
            found.append(Reason('declared_contact', YELLOW, record, needs_test=True))
    return found
