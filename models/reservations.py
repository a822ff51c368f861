"""M2: scarce goods (masks) reserved online and picked up at a pharmacy's community store."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from models.common import utcnow


class AllocationMode(StrEnum):
    fcfs = 'fcfs'  # first come, first served: an atomic conditional decrement
    lottery = 'lottery'  # applications during the window, then a provable draw


class ReservationStatus(StrEnum):
    booked = 'booked'
    picked_up = 'picked_up'
    cancelled = 'cancelled'
    no_show = 'no_show'
    applied = 'applied'  # lottery application, before the draw
    lost = 'lost'  # lottery application that was not drawn


ACTIVE_STATUSES = (ReservationStatus.booked, ReservationStatus.applied)
# One active booking (or application) per person per slot, and one open waitlist place per person, store, item and
# day: enforced by partial unique indexes (SQLite and PostgreSQL both have them), so no race and no retry can make
# a second one, whatever the page did.
ACTIVE_SQL = "status IN ('booked', 'applied')"
OPEN_WAIT_SQL = "status IN ('waiting', 'offered')"


class WaitStatus(StrEnum):
    waiting = 'waiting'
    offered = 'offered'  # stock is held for this person until offer_expires_at
    accepted = 'accepted'
    expired = 'expired'
    cancelled = 'cancelled'


class ResItemBase(SQLModel):
    """A scarce good and its release policy (booking window, quota, allocation mode, no-show rules)."""

    code: str = Field(max_length=32, unique=True)
    name_zh: str = Field(max_length=60)
    name_en: str = Field(max_length=60)
    unit_zh: str = Field(default='只', max_length=8)
    unit_en: str = Field(default='pcs', max_length=12)
    quota: int = 5  # per person per quota_days
    quota_days: int = 10
    mode: AllocationMode = AllocationMode.fcfs
    window_open_minute: int = 600  # local minute of the day the booking window opens (600 = 10:00)
    window_days_before: int = 1  # … this many days before the slot's day
    noshow_grace_minutes: int = 30
    strike_limit: int = 3
    strike_days: int = 30
    ban_days: int = 7
    active: bool = True


class ResItem(ResItemBase, table=True):
    """A scarce good and its release policy."""

    __tablename__ = 'res_item'
    id: int | None = Field(default=None, primary_key=True)


class ResItemPublic(ResItemBase):
    """An item and its policy, as screens receive it."""

    id: int


class ResStoreBase(SQLModel):
    """A community store of the pharmacy chain where reserved goods are picked up."""

    name_zh: str = Field(max_length=80)
    name_en: str = Field(max_length=120)
    district: str = Field(max_length=16, index=True)
    address_zh: str = Field(max_length=160)
    address_en: str = Field(max_length=200)
    lat: float
    lon: float
    opens: str = Field(default='08:00', max_length=5)
    closes: str = Field(default='21:00', max_length=5)
    phone: str = Field(default='', max_length=32)  # the store's counter, shown to residents ('' when unknown)
    closed: bool = False  # a closed store refuses bookings and pickups


class ResStore(ResStoreBase, table=True):
    """A community store (table)."""

    __tablename__ = 'res_store'
    id: int | None = Field(default=None, primary_key=True)


class ResSlot(SQLModel, table=True):
    """Supply of one item at one store for one pickup slot; `remaining` never goes below zero."""

    __tablename__ = 'res_slot'
    __table_args__ = (
        CheckConstraint('remaining >= 0', name='ck_res_slot_remaining'),
        Index('ix_res_slot_store_day', 'store_id', 'day'),
    )
    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key='res_store.id')
    item_id: int = Field(foreign_key='res_item.id', index=True)
    day: date  # local day of the city
    starts_at: datetime
    ends_at: datetime
    capacity: int
    remaining: int
    picked_up: int = 0
    no_shows: int = 0
    updated_at: datetime = Field(default_factory=utcnow)
    sold_out_at: datetime | None = None


class Reservation(SQLModel, table=True):
    """One person's booking (or lottery application) of `quantity` units in one slot."""

    __tablename__ = 'reservation'
    __table_args__ = (
        Index('ix_reservation_store_code', 'store_id', 'code'),
        Index(
            'uq_reservation_active',
            'slot_id',
            'person_id',
            unique=True,
            sqlite_where=text(ACTIVE_SQL),
            postgresql_where=text(ACTIVE_SQL),
        ),  # fmt: skip
    )
    id: int | None = Field(default=None, primary_key=True)
    slot_id: int = Field(foreign_key='res_slot.id', index=True)
    store_id: int = Field(foreign_key='res_store.id')
    item_id: int = Field(foreign_key='res_item.id')
    # Few indexes on purpose: every index is one more page written per booking (the rush's cost on SQLite).
    person_id: int = Field(foreign_key='person.id')
    account_id: int = Field(foreign_key='account.id', index=True)  # who booked (self or family manager)
    quantity: int
    status: ReservationStatus = ReservationStatus.booked
    code: str = Field(default='', max_length=6)
    created_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None  # cancelled / picked up / no-show / lost
    handled_by: str = Field(default='', max_length=80)  # staff who handed the goods over


class ResQuota(SQLModel, table=True):
    """Ledger of a person's quota use per item: updated conditionally, so two sessions cannot both pass."""

    __tablename__ = 'res_quota'
    __table_args__ = {'sqlite_with_rowid': False}  # the primary key is the table: one page less per booking
    person_id: int = Field(foreign_key='person.id', primary_key=True)
    item_id: int = Field(foreign_key='res_item.id', primary_key=True)
    used: int = 0
    window_ends: datetime


class ResStrike(SQLModel, table=True):
    """A no-show counted against a person."""

    __tablename__ = 'res_strike'
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key='person.id', index=True)
    reservation_id: int = Field(foreign_key='reservation.id')
    at: datetime = Field(default_factory=utcnow)


class ResBan(SQLModel, table=True):
    """A person may not book until `until` (after too many no-shows)."""

    __tablename__ = 'res_ban'
    person_id: int = Field(foreign_key='person.id', primary_key=True)
    until: datetime


class ResWait(SQLModel, table=True):
    """A place on the waitlist of one item at one store for one day; released stock is offered in order."""

    __tablename__ = 'res_wait'
    __table_args__ = (
        Index('ix_res_wait_queue', 'store_id', 'item_id', 'day', 'status'),
        Index(
            'uq_res_wait_open',
            'store_id',
            'item_id',
            'day',
            'person_id',
            unique=True,
            sqlite_where=text(OPEN_WAIT_SQL),
            postgresql_where=text(OPEN_WAIT_SQL),
        ),  # fmt: skip
    )
    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key='res_store.id')
    item_id: int = Field(foreign_key='res_item.id')
    day: date
    person_id: int = Field(foreign_key='person.id', index=True)
    account_id: int = Field(foreign_key='account.id', index=True)
    quantity: int
    status: WaitStatus = WaitStatus.waiting
    created_at: datetime = Field(default_factory=utcnow)
    offered_slot_id: int | None = Field(default=None, foreign_key='res_slot.id')
    offer_expires_at: datetime | None = None


class ResLottery(SQLModel, table=True):
    """The draw of one lottery slot: the seed's SHA-256 is public before the draw, the seed after it."""

    __tablename__ = 'res_lottery'
    slot_id: int = Field(foreign_key='res_slot.id', primary_key=True)
    seed_hash: str = Field(max_length=64)
    seed: str = Field(max_length=64)  # secret until drawn_at is set
    drawn_at: datetime | None = None


class ResStoreStaff(SQLModel, table=True):
    """A pharmacist account works at a store: they check and hand over passes only there."""

    __tablename__ = 'res_store_staff'
    account_id: int = Field(foreign_key='account.id', primary_key=True)
    store_id: int = Field(foreign_key='res_store.id', primary_key=True, index=True)


class ResSecret(SQLModel, table=True):
    """Keys that must survive restarts (the HMAC key that signs pickup passes)."""

    __tablename__ = 'res_secret'
    __table_args__ = (UniqueConstraint('name'),)
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=32)
    value: str = Field(max_length=128)


# -- what screens read ---------------------------------------------------------------------------------------------
class ResSlotPublic(SQLModel):
    """A pickup slot with its live stock and booking window, as the reserve page shows it."""

    id: int
    store_id: int
    item_id: int
    day: date
    starts_at: datetime
    ends_at: datetime
    capacity: int
    remaining: int
    updated_at: datetime
    opens_at: datetime  # booking window
    mode: AllocationMode
    seed_hash: str = ''  # lottery: published before the draw
    drawn: bool = False


class ResStorePublic(ResStoreBase):
    """A store, with its coming slots of one item when the screen asked for them."""

    id: int
    slots: list[ResSlotPublic] = []


class ReservationPublic(SQLModel):
    """A booking as its owner sees it (the pass token is added for booked ones)."""

    id: int
    status: str
    quantity: int
    code: str
    person_id: int
    masked_name: str
    relation: str | None
    item_name_zh: str
    item_name_en: str
    unit_zh: str
    unit_en: str
    store_id: int
    store_name_zh: str
    store_name_en: str
    address_zh: str
    address_en: str
    day: date
    starts_at: datetime
    ends_at: datetime
    created_at: datetime
    closed_at: datetime | None
    handled_by: str
    token: str = ''


class ResWaitPublic(SQLModel):
    """A place on a waitlist as its owner sees it (position 0 once an offer is held)."""

    id: int
    status: str
    quantity: int
    person_id: int
    masked_name: str
    store_id: int
    store_name_zh: str
    store_name_en: str
    item_name_zh: str
    item_name_en: str
    day: date
    position: int
    offer_expires_at: datetime | None
    offered_slot_id: int | None


class StaffPublic(SQLModel):
    """A pharmacist account and the stores it works at, as the admin page lists them."""

    account_id: int
    label: str
    active: bool
    store_ids: list[int] = []


class PickupPublic(SQLModel):
    """What a pharmacist sees for a pass: a masked name, the goods and the slot; nothing else."""

    reservation_id: int
    masked_name: str
    item_name_zh: str
    item_name_en: str
    quantity: int
    unit_zh: str
    unit_en: str
    store_name_zh: str
    store_name_en: str
    day: date
    starts_at: datetime
    ends_at: datetime
    status: str
    picked_up_at: datetime | None
    handled_by: str
