"""Admins set up stores, goods and slot plans: bad input is refused with a reason and nothing is half-written."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlmodel import col

from models.common import utcnow
from models.reservations import ResSlot, ResStore
from services import db
from services.errors import DomainError
from services.reservations import admin
from services.reservations.policy import local_day
from tests.support.actors import actor


def test_admin_sets_up_a_store_an_item_and_its_slots() -> None:
    boss = actor(username='admin')
    with db.session_scope() as session:
        store_id = admin.save_store(
            session,
            actor=boss,
            name_zh='漱玉平民大药房（测试店）',
            name_en='Test store',
            district='370105',
            address_zh='天桥区测试路9号',
            address_en='9 Test Rd',
            lat=36.69,
            lon=117.0,
            opens='8:00',
            closes='21:30',
        )
        item = admin.save_item(
            session,
            actor=boss,
            code='kn95',
            name_zh='KN95 口罩',
            name_en='KN95 masks',
            quota=3,
            quota_days=7,
            mode='lottery',
            window_open='09:30',
            window_days_before=2,
        )
        day = local_day(utcnow()) + timedelta(days=1)
        ids = admin.plan_slots(
            session,
            actor=boss,
            store_id=store_id,
            item_id=item.id,
            day=day,
            slots=[('09:00', '12:00', 50), ('14:00', '17:30', 80)],
        )
    assert item.window_open_minute == 570 and item.mode == 'lottery'
    with db.read_session() as session:
        store = session.get(ResStore, store_id)
        assert store is not None and store.opens == '08:00' and store.closes == '21:30'
        slots = [session.get(ResSlot, i) for i in ids]
        assert [s.capacity for s in slots if s] == [50, 80] and all(s and s.remaining == s.capacity for s in slots)


@pytest.mark.parametrize(
    ('field', 'value', 'reason'),
    [
        ('opens', '25:00', 'Opening hours'),
        ('closes', '07:00', 'close after it opens'),
        ('lat', 123.0, 'not on Earth'),
        ('district', '999999', 'district'),
        ('name_zh', '   ', 'Please fill in'),
    ],
)
def test_bad_store_input_is_refused(field: str, value: object, reason: str) -> None:
    values: dict = {
        'name_zh': '药房',
        'name_en': 'Pharmacy',
        'district': '370102',
        'address_zh': '历下区',
        'address_en': 'Lixia',
        'lat': 36.6,
        'lon': 117.0,
        'opens': '08:00',
        'closes': '21:00',
    }
    values[field] = value
    with db.read_session() as session:
        before = session.scalar(select(func.count()).select_from(ResStore))
    with pytest.raises(DomainError, match=reason), db.session_scope() as session:
        admin.save_store(session, actor=actor(username='admin'), **values)
    with db.read_session() as session:
        assert session.scalar(select(func.count()).select_from(ResStore)) == before


def test_slot_plan_is_all_or_nothing_and_residents_may_not_plan() -> None:
    boss = actor(username='admin')
    with db.read_session() as session:
        store_id = session.scalars(select(col(ResStore.id))).first()
        assert store_id is not None
        before = session.scalar(select(func.count()).select_from(ResSlot))
    day = local_day(utcnow()) + timedelta(days=1)
    with pytest.raises(DomainError, match='end after it starts'), db.session_scope() as session:
        admin.plan_slots(
            session,
            actor=boss,
            store_id=store_id,
            item_id=1,
            day=day,  # type: ignore[arg-type]
            slots=[('09:00', '12:00', 10), ('15:00', '14:00', 10)],
        )
    with pytest.raises(DomainError, match='role does not allow'), db.session_scope() as session:
        admin.plan_slots(
            session,
            actor=actor(phone='13800000001'),
            store_id=store_id,
            item_id=1,
            day=day,  # type: ignore[arg-type]
            slots=[('09:00', '12:00', 10)],
        )
    with db.read_session() as session:
        assert session.scalar(select(func.count()).select_from(ResSlot)) == before
