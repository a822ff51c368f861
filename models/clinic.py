"""M3 online fever clinic: consultations (triage, queue place, outcome), chat messages, doctors on duty."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel

from models.common import utcnow


class ConsultStatus(StrEnum):
    """Where a consultation is: in the queue, with a doctor, or ended (and how)."""

    waiting = 'waiting'  # in the queue (red-flag cases too, at the very top)
    in_consult = 'in_consult'  # a doctor called them
    done = 'done'  # the doctor gave an outcome
    left = 'left'  # the resident left the queue
    dropped = 'dropped'  # away longer than the reconnect grace


class Outcome(StrEnum):
    """What the doctor decided (home isolation and suspected change the health code)."""

    self_care = 'self_care'
    home_isolation = 'home_isolation'
    offline_clinic = 'offline_clinic'
    suspected = 'suspected'


OPEN_STATUSES = (ConsultStatus.waiting, ConsultStatus.in_consult)
OPEN_WHERE = "status IN ('waiting', 'in_consult')"


class ClinicConsultation(SQLModel, table=True):
    """One fever consultation: the triage form, the queue place, the doctor and the outcome."""

    __tablename__ = 'clinic_consultation'
    # "Call next" and every position read walk this index: waiting rows in queue order. The unique partial index
    # is the database's own guarantee of at most one open consultation per person, whatever a page or a retry does.
    __table_args__ = (
        Index('ix_clinic_queue_order', 'status', 'rank_at', 'id'),
        Index(
            'ux_clinic_open_person',
            'person_id',
            unique=True,
            sqlite_where=text(OPEN_WHERE),
            postgresql_where=text(OPEN_WHERE),
        ),  # fmt: skip
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key='person.id', index=True)  # the patient (self or a managed family member)
    requested_by_account_id: int = Field(foreign_key='account.id', index=True)
    # Plain strings (not database enums): PostgreSQL enum type names are global to a schema.
    status: str = Field(default=ConsultStatus.waiting.value, max_length=16, index=True)
    # Triage, as answered (lists are comma-separated codes).
    temperature: float
    symptoms: str = Field(default='', max_length=200)
    onset_date: date
    exposure: bool = False
    travel: bool = False
    travel_detail: str = Field(default='', max_length=100)
    red_flags: str = Field(default='', max_length=200)
    spo2: int | None = None
    chronic: str = Field(default='', max_length=200)
    age: int = 0
    severity: int = 0  # 0..10 from triage, raised when symptoms get worse
    worse_count: int = 0
    # Queue: ordered by rank_at ascending = queued_at minus a head start per severity point (ageing built in).
    queued_at: datetime = Field(default_factory=utcnow)
    rank_at: datetime = Field(default_factory=utcnow, index=True)
    last_seen_at: datetime = Field(default_factory=utcnow)
    next_check_at: datetime = Field(default_factory=utcnow)
    ask_pending: bool = False
    # Consultation and outcome.
    doctor_account_id: int | None = Field(default=None, foreign_key='account.id', index=True)
    called_at: datetime | None = None
    ended_at: datetime | None = Field(default=None, index=True)
    outcome: str | None = Field(default=None, max_length=20)
    advice: str = Field(default='', max_length=2000)
    clinic_code: str = Field(default='', max_length=20)
    referral_token: str = Field(default='', max_length=32)


class ClinicMessage(SQLModel, table=True):
    """A chat message in a consultation, stored as typed and always shown escaped."""

    __tablename__ = 'clinic_message'

    id: int | None = Field(default=None, primary_key=True)
    consultation_id: int = Field(foreign_key='clinic_consultation.id', index=True)
    sender_account_id: int = Field(foreign_key='account.id', index=True)
    from_doctor: bool = False
    body: str = Field(max_length=500)
    at: datetime = Field(default_factory=utcnow, index=True)


class ClinicDuty(SQLModel, table=True):
    """Whether a doctor is on duty; last_seen_at is refreshed while their desk is open."""

    __tablename__ = 'clinic_duty'

    account_id: int = Field(foreign_key='account.id', primary_key=True)
    on_duty: bool = False
    since: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)


class ClinicConsultationCreate(SQLModel):
    """The triage form a resident fills in to start a consultation (validated by services.clinic.triage)."""

    person_id: int
    temperature: float | None = None
    symptoms: list[str] = []
    onset_date: date | None = None
    exposure: bool = False
    travel: bool = False
    travel_detail: str = ''
    red_flags: list[str] = []
    spo2: int | None = None
    chronic: list[str] = []


class ClinicConsultationPublic(SQLModel):
    """A consultation as pages show it (patient name masked for staff lists)."""

    id: int
    person_id: int
    patient_name: str
    patient_masked: str
    patient_district: str = ''
    status: ConsultStatus
    temperature: float
    symptoms: list[str]
    onset_date: date
    exposure: bool
    travel: bool
    travel_detail: str
    red_flags: list[str]
    spo2: int | None
    chronic: list[str]
    age: int
    severity: int
    worse_count: int
    queued_at: datetime
    ask_pending: bool
    last_seen_at: datetime | None = None
    doctor_account_id: int | None
    doctor_name: str
    called_at: datetime | None
    ended_at: datetime | None
    outcome: Outcome | None
    advice: str
    clinic_code: str
    referral_token: str


class ClinicMessagePublic(SQLModel):
    """A chat message as both sides see it, with the sender's display name."""

    id: int
    consultation_id: int
    from_doctor: bool
    sender_name: str
    body: str
    at: datetime
