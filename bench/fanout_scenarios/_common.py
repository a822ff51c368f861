"""Helpers for scenario modules: many residents with completed profiles, the demo admin as an actor."""

from datetime import date, timedelta

from sqlmodel import col, select

from models.accounts import Account, Role
from services import db
from services.access import Actor, load_actor
from services.foundation import people
from services.foundation.demo import demo_id_number

BENCH_PHONE_PREFIX = '139'
BENCH_DISTRICT = '370102'  # 历下区 Lixia


def chinese_name(index: int) -> str:
    """A name made of letters only (validation refuses digits): 测试 followed by the index in Chinese numerals."""
    return '测试' + ''.join('零一二三四五六七八九'[int(d)] for d in str(index))


def make_residents(count: int) -> list[int]:
    """Create `count` resident accounts with completed profiles (one transaction); returns their account ids."""
    ids: list[int] = []
    with db.session_scope() as session:
        query = select(Account.phone).where(col(Account.phone).startswith(BENCH_PHONE_PREFIX))
        taken = set(session.exec(query).all())
        index = 0
        while len(ids) < count:
            phone = f'{BENCH_PHONE_PREFIX}{index:08d}'
            index += 1
            if phone in taken:
                continue
            account = Account(role=Role.resident, phone=phone)
            session.add(account)
            session.flush()
            assert account.id is not None
            actor = Actor(account_id=account.id, role=Role.resident, label=phone)
            birth = date(1970, 1, 1) + timedelta(days=index // 900)
            id_number = demo_id_number(BENCH_DISTRICT, birth, f'{100 + index % 900:03d}')
            people.complete_profile(session, actor=actor, real_name=chinese_name(index), id_number=id_number,
                                    district=BENCH_DISTRICT)  # fmt: skip
            ids.append(account.id)
    return ids


def account_id(username: str) -> int:
    """The id of a demo staff account (e.g. 'admin')."""
    with db.read_session() as session:
        found = session.exec(select(Account.id).where(Account.username == username)).first()
    if found is None:
        raise LookupError(f'no account {username!r}: is the demo city seeded?')
    return found


def staff_actor(username: str) -> Actor:
    """A demo staff account as an Actor, for triggers that act through services."""
    with db.read_session() as session:
        actor = load_actor(session, account_id(username))
    if actor is None:
        raise LookupError(f'account {username!r} is not active')
    return actor
