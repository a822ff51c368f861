"""Health code (M1): append-only health records, signing keys, checkpoints, pass records, paper codes, approvals."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from models.common import utcnow


class HealthRecord(SQLModel, table=True):
    """One fact about a person's health, never edited: the colour is derived from these by the rules file.

    kind: 'declaration' (value: comma list of symptoms; flags contact/risk_area), 'temperature' (value: °C),
    'test' (value: 'positive' | 'negative'), 'official' (value: 'close_contact' | 'risk_area'),
    'clinic' (value: fever-clinic outcome), 'manual' (value: colour set by an admin, with a reason).
    """

    __tablename__ = 'hc_record'

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key='person.id', index=True)
    kind: str = Field(max_length=16)
    value: str = Field(default='', max_length=120)
    at: datetime = Field(default_factory=utcnow)  # when it happened (contact time, test time, reading time)
    place: str = Field(default='', max_length=80)
    note: str = Field(default='', max_length=300)  # the reason an admin gave, or a source reference
    contact: bool = False  # declaration: contact with a confirmed case
    risk_area: bool = False  # declaration: arrived from a risk area
    until: datetime | None = None  # manual changes may end at a time
    recorded_by_account_id: int | None = Field(default=None)
    recorded_at: datetime = Field(default_factory=utcnow)


class SigningKey(SQLModel, table=True):
    """An Ed25519 key that signs codes. Private part stays on the server; public part is published."""

    __tablename__ = 'hc_signing_key'

    kid: str = Field(primary_key=True, max_length=8)
    private_b64: str = Field(max_length=64)
    public_b64: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    active: bool = True  # the key new codes are signed with (one at a time)
    revoked_at: datetime | None = None


class CheckpointBase(SQLModel):
    """A named place where codes are checked: a community gate, a station, a mall."""

    name_zh: str = Field(max_length=60)
    name_en: str = Field(max_length=80)
    kind: str = Field(default='gate', max_length=16)  # gate | station | mall
    district: str = Field(default='', max_length=16)
    mode: str = Field(default='scan_temperature', max_length=20)  # scan_temperature | show_code


class Checkpoint(CheckpointBase, table=True):
    """A checkpoint as stored (inactive ones are kept for the pass records that name them)."""

    __tablename__ = 'hc_checkpoint'

    id: int | None = Field(default=None, primary_key=True)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class CheckpointPublic(CheckpointBase):
    """An active checkpoint as staff and residents see it."""

    id: int


class PassRecord(SQLModel, table=True):
    """One check of one person at one checkpoint (deleted after the retention period)."""

    __tablename__ = 'hc_pass'

    id: int | None = Field(default=None, primary_key=True)
    checkpoint_id: int = Field(foreign_key='hc_checkpoint.id', index=True)
    person_id: int = Field(foreign_key='person.id', index=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    result: str = Field(max_length=8)  # pass | stop
    colour: str = Field(max_length=8)
    temperature: float | None = None
    method: str = Field(default='scan', max_length=8)  # scan | short | paper | show
    staff_account_id: int | None = None


class PassRecordPublic(SQLModel):
    """Where a person's code was checked: time, the checkpoint's names, the result."""

    at: datetime
    checkpoint_zh: str
    checkpoint_en: str
    result: str
    colour: str
    temperature: float | None = None


class PaperCode(SQLModel, table=True):
    """A printed code for a family member without a phone: signed, 30 days, revocable."""

    __tablename__ = 'hc_paper_code'

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key='person.id', index=True)
    nonce: str = Field(max_length=16, unique=True, index=True)
    issued_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    revoked_at: datetime | None = None
    issued_by_account_id: int | None = None


class PaperCodePublic(SQLModel):
    """A paper code as its resident sees it; the token and its code to type only when just issued (to print)."""

    id: int
    person_id: int
    masked_name: str
    token: str = ''
    short_code: str = ''
    issued_at: datetime
    expires_at: datetime
    revoked: bool = False


class ShortCode(SQLModel, table=True):
    """A short code a resident reads out for manual entry at a checkpoint (valid a few minutes)."""

    __tablename__ = 'hc_short_code'

    code: str = Field(primary_key=True, max_length=10)
    person_id: int = Field(foreign_key='person.id', index=True)
    expires_at: datetime


class ColourChange(SQLModel, table=True):
    """An admin's change (close contacts or a hand-set colour), with a reason; big ones wait for a second admin.
    Its people are rows of their own (`ColourChangePerson`): a traced case may name thousands."""

    __tablename__ = 'hc_change'

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)  # close_contact | set_colour
    people: int = 0  # how many people it names (the rows in hc_change_person)
    colour: str = Field(default='', max_length=8)
    at: datetime = Field(default_factory=utcnow)  # last contact time for close contacts
    until: datetime | None = None
    reason: str = Field(max_length=300)
    status: str = Field(default='pending', max_length=10, index=True)  # pending | applied | rejected
    requested_by_account_id: int
    requested_by_label: str = Field(default='', max_length=80)
    requested_at: datetime = Field(default_factory=utcnow)
    decided_by_account_id: int | None = None
    decided_at: datetime | None = None


class ColourChangePerson(SQLModel, table=True):
    """One person of an admin's change, with their own last contact time when traced (else the change's `at`)."""

    __tablename__ = 'hc_change_person'

    change_id: int = Field(foreign_key='hc_change.id', primary_key=True)
    person_id: int = Field(foreign_key='person.id', primary_key=True, index=True)
    contact_at: datetime | None = None


class ColourChangePublic(SQLModel):
    """An admin's change as the admin pages list it: how many people, why, and where it stands."""

    id: int
    kind: str
    count: int
    colour: str
    reason: str
    status: str
    requested_by: str
    requested_by_account_id: int
    requested_at: datetime
