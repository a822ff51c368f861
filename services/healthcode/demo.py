"""Demo data for the health code: checkpoints in Jinan with their modes; one resident yellow with a reason."""

from datetime import timedelta

from sqlmodel import Session, select

from models.accounts import Person
from models.common import utcnow
from models.healthcode import Checkpoint, HealthRecord
from services.healthcode.records import append_records

DEMO_CHECKPOINTS = [
    ('泉城路步行街北口', 'Quancheng Road north gate', 'gate', '370102', 'scan_temperature'),
    ('济南站进站口', 'Jinan Railway Station entrance', 'station', '370103', 'scan_temperature'),
    ('恒隆广场正门', 'Parc 66 (Henglong Plaza) main door', 'mall', '370102', 'show_code'),
]
YELLOW_RESIDENT = '李娜'


def seed(session: Session) -> bool:
    """Create the demo checkpoints and a yellow demo resident once; True when it seeded."""
    if session.exec(select(Checkpoint.id)).first() is not None:
        return False
    for name_zh, name_en, kind, district, mode in DEMO_CHECKPOINTS:
        session.add(Checkpoint(name_zh=name_zh, name_en=name_en, kind=kind, district=district, mode=mode))
    person = session.exec(select(Person).where(Person.real_name == YELLOW_RESIDENT)).first()
    if person is not None and person.id is not None:
        append_records(session, [HealthRecord(person_id=person.id, kind='official', value='risk_area',
                                              at=utcnow() - timedelta(days=2), place='济南站 Jinan Railway Station',
                                              note='入境人员健康管理名单 Arrivals list (demo)')])  # fmt: skip
    session.flush()
    return True
