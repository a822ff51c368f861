"""People, their sign-in accounts, one-time codes, and the audit log."""

from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel, UniqueConstraint

from models.common import new_token, utcnow


class Role(StrEnum):
    resident = 'resident'
    checkpoint = 'checkpoint'
    pharmacist = 'pharmacist'
    doctor = 'doctor'
    organizer = 'organizer'
    enterprise = 'enterprise'
    grid_officer = 'grid_officer'
    admin = 'admin'


STAFF_ROLES = tuple(r for r in Role if r is not Role.resident)


class PersonBase(SQLModel):
    real_name: str = Field(max_length=40)
    district: str = Field(max_length=16)


class Person(PersonBase, table=True):
    """A human the city serves: a resident with an account, or a family member they manage."""

    id: int | None = Field(default=None, primary_key=True)
    id_number: str = Field(max_length=18, unique=True, index=True)
    birth_date: date
    # Pseudonymous subject id: what health codes and passes carry instead of the ID number or phone.
    subject_id: str = Field(default_factory=new_token, max_length=32, unique=True, index=True)
    # The resident's own account (at most one), or the account of the resident who manages them.
    account_id: int | None = Field(default=None, foreign_key='account.id', unique=True)
    managed_by_account_id: int | None = Field(default=None, foreign_key='account.id', index=True)
    relation: str | None = Field(default=None, max_length=20)
    created_at: datetime = Field(default_factory=utcnow)


class PersonCreate(PersonBase):
    id_number: str
    relation: str | None = None


class PersonPublic(PersonBase):
    """What any screen may show: the ID number only masked."""

    id: int
    masked_id_number: str
    masked_name: str
    subject_id: str
    relation: str | None = None


class Account(SQLModel, table=True):
    """A way to sign in: residents by phone and one-time code, staff by username and password."""

    id: int | None = Field(default=None, primary_key=True)
    role: Role = Field(index=True)
    phone: str | None = Field(default=None, max_length=11, unique=True, index=True)
    username: str | None = Field(default=None, max_length=40, unique=True, index=True)
    display_name: str = Field(default='', max_length=60)
    password_hash: str | None = Field(default=None, max_length=200)
    language: str = Field(default='', max_length=8)
    large_text: bool = False
    failed_logins: int = 0  # wrong passwords in a row, since the last success or an admin lifted the wait
    locked_until: datetime | None = None  # no longer set: lock-outs were a weapon (docs/security/signin.md)
    failures_reset_at: datetime | None = None  # failures before this (a success, "Lift the wait") no longer count
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    last_login_at: datetime | None = None


class AccountPublic(SQLModel):
    id: int
    role: Role
    display_name: str
    username: str | None
    masked_phone: str | None
    active: bool
    failed_logins: int = 0  # wrong passwords in a row
    slowed: bool = False  # enough wrong passwords in a row that sign-ins from unknown places must wait


class SignInAlert(SQLModel):
    """Repeated failed sign-ins, as the admin's notice shows them."""

    at: datetime
    target: str
    detail: str


class StaffCreate(SQLModel):
    username: str
    display_name: str
    role: Role
    password: str


class OneTimeCode(SQLModel, table=True):
    """A 6-digit sign-in code: stored hashed, single use, expires, limited tries."""

    id: int | None = Field(default=None, primary_key=True)
    phone: str = Field(max_length=11, index=True)
    code_hash: str = Field(max_length=128)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    expires_at: datetime
    attempts: int = 0
    used_at: datetime | None = None
    client_address: str = Field(default='', max_length=64, index=True)  # who asked (limits per address)
    session_tag: str = Field(default='', max_length=32, index=True)  # keyed hash of the asking browser session


class SignInFailure(SQLModel, table=True):
    """One wrong staff password (or unknown username): the growing waits are computed from these times."""

    __tablename__ = 'signin_failure'

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    username: str = Field(max_length=40, index=True)  # as typed (normalised): unknown names wait like known ones
    address: str = Field(default='', max_length=64, index=True)
    account_id: int | None = Field(default=None, foreign_key='account.id', index=True)


class KnownAddress(SQLModel, table=True):
    """An address a staff account signed in from: strangers' failures elsewhere never slow sign-ins from here."""

    __tablename__ = 'signin_known_address'
    __table_args__ = (UniqueConstraint('account_id', 'address', name='uq_signin_known_address'),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key='account.id', index=True)
    address: str = Field(max_length=64)
    last_success_at: datetime = Field(default_factory=utcnow)


class AuditEntry(SQLModel, table=True):
    """Who did what to whom, when: sign-ins, failures, role changes, staff reads of personal data."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor_account_id: int | None = Field(default=None, index=True)
    actor_label: str = Field(default='', max_length=80)
    action: str = Field(max_length=40, index=True)
    target: str = Field(default='', max_length=120)
    detail: str = Field(default='', max_length=500)
