"""Demo data for M2: masks of three kinds, a pharmacy chain's community stores across Jinan, slots for today and
tomorrow with supply per store. Idempotent: items and stores once, missing days' slots on every start."""

from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from models.common import utcnow
from models.reservations import AllocationMode, ResItemBase, ResStoreBase
from services.reservations import passes
from services.reservations.admin import next_days
from services.reservations.common import ITEM, SLOT, STORE
from services.reservations.policy import local_day, local_time, parse_hhmm
from services.reservations.staff import ACCOUNT, STAFF

# code, zh, en, unit zh, unit en, quota, quota days, mode, window opens (local minute), days before
ITEMS = [
    ('surgical', '医用外科口罩', 'Surgical masks', '只', 'pcs', 10, 10, AllocationMode.fcfs, 600, 1),
    ('n95', 'N95 口罩', 'N95 respirators', '只', 'pcs', 5, 10, AllocationMode.fcfs, 600, 1),
    ('kn95-kids', '儿童 KN95 口罩', "Children's KN95 masks", '只', 'pcs', 5, 10, AllocationMode.lottery, 600, 1),
]
# name zh, name en, district, address zh, address en, lat, lon
STORES = [
    (
        '漱玉平民大药房（泉城路店）',
        'Shuyu Pingmin Pharmacy, Quancheng Rd',
        '370102',
        '历下区泉城路188号',
        '188 Quancheng Rd, Lixia',
        36.6650,
        117.0262,
    ),
    (
        '漱玉平民大药房（和平路店）',
        'Shuyu Pingmin Pharmacy, Heping Rd',
        '370102',
        '历下区和平路47号',
        '47 Heping Rd, Lixia',
        36.6605,
        117.0552,
    ),
    (
        '漱玉平民大药房（经四路店）',
        'Shuyu Pingmin Pharmacy, Jingsi Rd',
        '370103',
        '市中区经四路289号',
        '289 Jingsi Rd, Shizhong',
        36.6604,
        116.9929,
    ),
    (
        '漱玉平民大药房（英雄山店）',
        'Shuyu Pingmin Pharmacy, Yingxiongshan Rd',
        '370103',
        '市中区英雄山路128号',
        '128 Yingxiongshan Rd, Shizhong',
        36.6325,
        117.0068,
    ),
    (
        '漱玉平民大药房（经十西路店）',
        'Shuyu Pingmin Pharmacy, Jingshi W Rd',
        '370104',
        '槐荫区经十路23777号',
        '23777 Jingshi Rd, Huaiyin',
        36.6553,
        116.9408,
    ),
    (
        '漱玉平民大药房（北园店）',
        'Shuyu Pingmin Pharmacy, Beiyuan St',
        '370105',
        '天桥区北园大街356号',
        '356 Beiyuan St, Tianqiao',
        36.6883,
        117.0095,
    ),
    (
        '漱玉平民大药房（洪家楼店）',
        'Shuyu Pingmin Pharmacy, Hongjialou',
        '370112',
        '历城区洪家楼南路8号',
        '8 Hongjialou S Rd, Licheng',
        36.6852,
        117.0701,
    ),
    (
        '漱玉平民大药房（王舍人店）',
        'Shuyu Pingmin Pharmacy, Wangsheren',
        '370112',
        '历城区工业北路196号',
        '196 Gongye N Rd, Licheng',
        36.7038,
        117.1372,
    ),
    (
        '漱玉平民大药房（大学城店）',
        'Shuyu Pingmin Pharmacy, University Town',
        '370113',
        '长清区大学路1066号',
        '1066 Daxue Rd, Changqing',
        36.5530,
        116.8072,
    ),
    (
        '漱玉平民大药房（明水店）',
        'Shuyu Pingmin Pharmacy, Mingshui',
        '370114',
        '章丘区汇泉路1001号',
        '1001 Huiquan Rd, Zhangqiu',
        36.7137,
        117.5268,
    ),
]
# Slot plan per item code: (start, end, supply per store)
PLANS = {
    'surgical': [('09:00', '12:00', 120), ('14:00', '17:00', 120), ('18:00', '20:00', 60)],
    'n95': [('09:00', '12:00', 30), ('14:00', '17:00', 30), ('18:00', '20:00', 20)],
    'kn95-kids': [('14:00', '17:00', 40)],
}


DEMO_PHARMACIST = 'pharma1'  # works at the first demo store (Quancheng Rd) only


def _seed_staff(session: Session, stores: list[int]) -> None:
    """The demo pharmacist works at the first store (when they work nowhere yet: an admin's choice stays)."""
    account = session.execute(select(ACCOUNT.c.id).where(ACCOUNT.c.username == DEMO_PHARMACIST)).scalar_one_or_none()
    if account is None or not stores:
        return
    if session.execute(select(STAFF.c.store_id).where(STAFF.c.account_id == account)).first() is None:
        session.execute(STAFF.insert().values(account_id=account, store_id=stores[0]))


def seed(session: Session) -> None:
    """Create the demo goods and stores once, and today's and tomorrow's slots when missing."""
    passes.signing_key(session)  # created once, kept in the database
    items: dict[str, int] = {code: item_id for item_id, code in session.execute(select(ITEM.c.id, ITEM.c.code))}
    if not items:
        for code, zh, en, unit_zh, unit_en, quota, days, mode, minute, before in ITEMS:
            item = ResItemBase(
                code=code,
                name_zh=zh,
                name_en=en,
                unit_zh=unit_zh,
                unit_en=unit_en,
                quota=quota,
                quota_days=days,
                mode=mode,
                window_open_minute=minute,
                window_days_before=before,
            )
            items[code] = session.execute(ITEM.insert().values(**item.model_dump()).returning(ITEM.c.id)).scalar_one()
        for number, (zh, en, district, address_zh, address_en, lat, lon) in enumerate(STORES, start=1):
            store = ResStoreBase(
                phone=f'0531-8660{number:04d}',
                name_zh=zh,
                name_en=en,
                district=district,
                address_zh=address_zh,
                address_en=address_en,
                lat=lat,
                lon=lon,
            )
            session.execute(STORE.insert().values(**store.model_dump()))
    stores = list(session.execute(select(STORE.c.id).order_by(STORE.c.id)).scalars())
    _seed_staff(session, stores)
    plan_days = next_days(local_day(utcnow()))
    existing = set(
        session.execute(
            select(SLOT.c.store_id, SLOT.c.item_id, SLOT.c.day).where(SLOT.c.day.in_(plan_days)).distinct()
        ).tuples()
    )
    now = utcnow()
    rows: list[dict[str, Any]] = []  # one bulk insert: the demo city is re-seeded before every test of every module
    for day in plan_days:
        for store_id in stores:
            for code, plan in PLANS.items():
                item_id = items.get(code)
                if item_id is None or (store_id, item_id, day) in existing:
                    continue
                for start, end, supply in plan:
                    rows.append(
                        {
                            'store_id': store_id,
                            'item_id': item_id,
                            'day': day,
                            'capacity': supply,
                            'starts_at': local_time(day, parse_hhmm(start)),
                            'remaining': supply,
                            'ends_at': local_time(day, parse_hhmm(end)),
                            'picked_up': 0,
                            'no_shows': 0,
                            'updated_at': now,
                        }
                    )
    if rows:
        session.execute(SLOT.insert(), rows)
