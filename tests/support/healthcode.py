"""Factories and helpers of the health code tests: demo residents and their codes, checkpoints, scanning, many
people at once, old pass records, and an empty database of the kind the run tests."""

from datetime import date, datetime, timedelta

from sqlalchemy import insert
from sqlmodel import col, select

from models.accounts import Person
from models.common import new_token, utcnow
from models.healthcode import PassRecord
from services import db
from services.access import Actor
from services.healthcode import checkpoints, codes, current_colour
from services.healthcode.checkpoints import Verdict
from tests.support.actors import actor, demo_id_number

RESIDENT_PHONE = '13800000001'  # 张伟, green in the demo city, with a father he manages


def resident(phone: str = RESIDENT_PHONE) -> tuple[Actor, int]:
    """A demo resident and their person id."""
    me = actor(phone=phone)
    assert me.person_id is not None
    return me, me.person_id


def checkpoint_id() -> int:
    """The first demo checkpoint (scan + temperature)."""
    with db.read_session() as session:
        return checkpoints.list_checkpoints(session)[0].id


def show_code_checkpoint_id() -> int:
    """The demo checkpoint in 'show code' mode (residents record their own pass)."""
    with db.read_session() as session:
        return next(c.id for c in checkpoints.list_checkpoints(session) if c.mode == 'show_code')


def poster(checkpoint: int) -> str:
    """The signed poster QR of a checkpoint, as printed for it."""
    with db.read_session() as session:
        return checkpoints.poster_token(session, actor=actor(username='gate1'), checkpoint_id=checkpoint)


def live_token(phone: str = RESIDENT_PHONE) -> str:
    """A fresh live code of a demo resident, as their screen shows it."""
    me, pid = resident(phone)
    with db.read_session() as session:
        return codes.issue_code(session, actor=me, person_id=pid).token


def scan(text: str, temperature: str = '36.5', key: str | None = None) -> Verdict:
    """What the first checkpoint's staff (gate1) see when they scan or type `text` (with a normal reading: the
    first checkpoint is in 'scan + temperature' mode, which needs one)."""
    with db.session_scope() as session:
        return checkpoints.scan(session, actor=actor(username='gate1'), checkpoint_id=checkpoint_id(), text=text,
                                temperature=temperature, key=key)  # fmt: skip


def make_people(count: int) -> list[Person]:
    """`count` new people (no account) in Lixia district, green."""
    with db.session_scope() as session:
        born = date(1990, 1, 1)
        people = [Person(real_name=f'测试{i}', district='370102', birth_date=born,
                         id_number=demo_id_number('370102', born, f'{500 + i:03d}')) for i in range(count)]  # fmt: skip
        session.add_all(people)
    return people


def many_people(count: int) -> list[int]:
    """`count` new people (no account, green) written in one statement — a city-sized list; their ids."""
    born = [date(1950, 1, 1) + timedelta(days=i // 900) for i in range(count)]
    numbers = [demo_id_number('370103', b, f'{100 + i % 900:03d}') for i, b in enumerate(born)]
    now = utcnow()
    rows = [{'real_name': f'接触{i}', 'district': '370103', 'id_number': numbers[i], 'birth_date': born[i],
             'subject_id': new_token(), 'created_at': now} for i in range(count)]  # fmt: skip
    with db.session_scope() as session:
        session.execute(insert(Person), rows)
    with db.read_session() as session:
        found = dict(session.exec(select(Person.id_number, Person.id).where(col(Person.district) == '370103')).all())
    return [pid for pid in (found[n] for n in numbers) if pid is not None]


def add_pass(person_id: int, at: datetime, checkpoint: int | None = None) -> int:
    """A pass record of `person_id` at `at` (the first checkpoint unless told); its id."""
    with db.session_scope() as session:
        row = PassRecord(checkpoint_id=checkpoint or checkpoint_id(), person_id=person_id, at=at, result='pass',
                         colour='green')  # fmt: skip
        session.add(row)
        session.flush()
        assert row.id is not None
        return row.id


def colour(person_id: int) -> str:
    """The person's colour now."""
    with db.read_session() as session:
        return current_colour(session, person_id=person_id)
