"""Factories and helpers of the health code tests: demo residents and their codes, checkpoints, scanning."""

from datetime import date

from models.accounts import Person
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


def live_token(phone: str = RESIDENT_PHONE) -> str:
    """A fresh live code of a demo resident, as their screen shows it."""
    me, pid = resident(phone)
    with db.read_session() as session:
        return codes.issue_code(session, actor=me, person_id=pid).token


def scan(text: str, temperature: str = '') -> Verdict:
    """What the first checkpoint's staff (gate1) see when they scan or type `text`."""
    with db.session_scope() as session:
        return checkpoints.scan(session, actor=actor(username='gate1'), checkpoint_id=checkpoint_id(), text=text,
                                temperature=temperature)  # fmt: skip


def make_people(count: int) -> list[Person]:
    """`count` new people (no account) in Lixia district, green."""
    with db.session_scope() as session:
        born = date(1990, 1, 1)
        people = [Person(real_name=f'测试{i}', district='370102', birth_date=born,
                         id_number=demo_id_number('370102', born, f'{500 + i:03d}')) for i in range(count)]  # fmt: skip
        session.add_all(people)
    return people


def colour(person_id: int) -> str:
    """The person's colour now."""
    with db.read_session() as session:
        return current_colour(session, person_id=person_id)
