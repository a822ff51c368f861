"""Demo data for the demo city (Jinan): a few residents, a family, staff of every role, notices.

Each product module keeps its own demo data in `services/<module>/demo.py` with an idempotent `seed(session)`;
they run in the order of `main.MODULES`, the foundation's first.
"""

from datetime import date

from sqlmodel import Session, select

from models.accounts import Account, Person, Role
from models.notices import Notice
from services.idcard import check_digit
from services.passwords import cached_hash

DEMO_PASSWORD = 'demo1234'
DEMO_STAFF = [
    ('admin', '城市管理员 Admin', Role.admin),
    ('admin2', '第二管理员 Admin 2', Role.admin),
    ('gate1', '泉城路卡口 Gate staff', Role.checkpoint),
    ('pharma1', '漱玉平民药房 Pharmacist', Role.pharmacist),
    ('doctor1', '李医生 Dr Li', Role.doctor),
    ('doctor2', '王医生 Dr Wang', Role.doctor),
    ('organizer1', '济南演艺 Organizer', Role.organizer),
    ('enterprise1', '企业联络员 Enterprise', Role.enterprise),
    ('grid1', '网格员 Grid officer', Role.grid_officer),
]
# (phone, name, district, birth date, sequence); the check digit is computed.
DEMO_RESIDENTS = [
    ('13800000001', '张伟', '370102', date(1985, 3, 14), '123'),
    ('13800000002', '王芳', '370103', date(1990, 7, 2), '246'),
    ('13800000003', '李娜', '370112', date(1978, 11, 30), '358'),
]
DEMO_FAMILY = [
    ('13800000001', '张建国', '370102', date(1950, 5, 1), '131', '父亲')
]  # a relation is the resident's own words


def demo_id_number(district: str, birth: date, sequence: str) -> str:
    """A valid 18-digit ID number for demo people (check digit computed)."""
    first17 = f'{district}{birth:%Y%m%d}{sequence}'
    return first17 + check_digit(first17)


def seed(session: Session) -> bool:
    """Create the demo city if the database has no accounts yet; True when it seeded."""
    if session.exec(select(Account.id)).first() is not None:
        return False
    password_hash = cached_hash(DEMO_PASSWORD)
    for username, display_name, role in DEMO_STAFF:
        session.add(Account(role=role, username=username, display_name=display_name, password_hash=password_hash))
    accounts: dict[str, Account] = {}
    for phone, name, district, birth, sequence in DEMO_RESIDENTS:
        account = Account(role=Role.resident, phone=phone, display_name=name[0] + '*')
        session.add(account)
        session.flush()
        accounts[phone] = account
        session.add(Person(real_name=name, id_number=demo_id_number(district, birth, sequence), district=district,
                           birth_date=birth, account_id=account.id))  # fmt: skip
    for phone, name, district, birth, sequence, relation in DEMO_FAMILY:
        session.add(Person(real_name=name, id_number=demo_id_number(district, birth, sequence), district=district,
                           birth_date=birth, managed_by_account_id=accounts[phone].id, relation=relation))  # fmt: skip
    session.add(
        Notice(
            title_zh='欢迎使用泉城云',
            title_en='Welcome to Spring City Cloud',
            body_zh='健康码、口罩预约、发热门诊和云演出，都在这里。',
            body_en='Health codes, mask reservations, the fever clinic and cloud performances, all here.',
        )
    )
    session.add(
        Notice(
            title_zh='请坚持佩戴口罩',
            title_en='Please keep wearing a mask',
            urgent=True,
            body_zh='进入公共场所请出示健康码，佩戴口罩，保持一米距离。',
            body_en='Show your health code in public places, wear a mask and keep one metre apart.',
        )
    )
    session.flush()
    return True
