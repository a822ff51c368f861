"""Bad input in every text field of the sign-in, profile, family and notice forms: empty, overlong (10,000
characters), a script tag and SQL. Each is refused with a clear message in the user's language, or stored inert and
shown escaped; nothing is half-written (rows are counted before and after)."""

import asyncio
from datetime import date
from html import escape

from nicegui import ui
from nicegui.testing import User
from sqlmodel import SQLModel, func, select

from models.accounts import Account, AuditEntry, OneTimeCode, Person
from models.notices import Notice
from services import db
from services.foundation.demo import DEMO_PASSWORD, demo_id_number
from tests.support.pages import sign_in_resident

SCRIPT = '<script>alert(1)</script>'
SQL = "'; DROP TABLE account; --"
OVERLONG = 'x' * 10_000
BAD_VALUES = ('', OVERLONG, SCRIPT, SQL)
TABLES: tuple[type[SQLModel], ...] = (Account, Person, OneTimeCode, Notice, AuditEntry)
NEW_PHONE = '13900000011'


def counts() -> dict[str, int]:
    """Rows per table; audit entries of background jobs (actor 'system', e.g. a purge at start-up) left out."""
    with db.read_session() as session:
        result = {t.__name__: session.exec(select(func.count()).select_from(t)).one() for t in TABLES}
        result['AuditEntry'] = session.exec(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.actor_label != 'system')
        ).one()
    return result


async def message_after(user: User, seen: int) -> str:
    """The first message shown to the user after the first `seen` ones."""
    for _ in range(100):
        if len(user.notify.messages) > seen:
            return user.notify.messages[seen]
        await asyncio.sleep(0.03)
    raise AssertionError(f'no message shown; messages so far: {user.notify.messages}')


async def submit(user: User, field: str, value: str, button: str) -> str:
    """Put `value` into the field marked `field`, press `button`, and return the message the page shows."""
    seen = len(user.notify.messages)
    user.find(marker=field).clear().type(value)
    user.find(marker=button).click()
    return await message_after(user, seen)


def assert_no_raw_html(user: User, *needles: str) -> None:
    """No element renders user text as raw HTML: labels (escaped by Vue), or HTML elements holding it escaped."""
    assert user.client is not None
    for element in user.client.layout.descendants():
        if isinstance(element, ui.html | ui.markdown):
            assert not any(n in str(element.content) for n in needles), element
        assert not any(n in str(element.props.get('innerHTML', '')) for n in needles), element


def shown_as_text(user: User, value: str) -> bool:
    """`value` is on the page as text: a label's text, or escaped inside an HTML element."""
    assert user.client is not None
    for element in user.client.layout.descendants():
        if value in str(getattr(element, 'text', '')):
            return True
        if isinstance(element, ui.html) and escape(value) in str(element.content):
            return True
    return False


async def test_sign_in_phone_field(user: User) -> None:
    await user.open('/login')
    before = counts()
    for value in BAD_VALUES:
        message = await submit(user, 'scc-phone', value, 'scc-ask')
        assert message == ('请输入手机号码。' if value == '' else '手机号码为 11 位数字，以 13 至 19 开头。'), value[
            :30
        ]
    assert counts() == before
    await user.should_not_see(marker='scc-demo-code')


async def test_sign_in_code_field(user: User) -> None:
    await user.open('/login')
    user.find(marker='scc-phone').type(NEW_PHONE)
    user.find(marker='scc-ask').click()
    await user.should_see(marker='scc-demo-code', retries=40)
    before = counts()
    for value in BAD_VALUES:
        message = await submit(user, 'scc-code', value, 'scc-submit')
        assert message == '验证码为 6 位数字。', value[:30]
    assert counts() == before  # no account, no audit entry, no try used up
    with db.read_session() as session:
        assert session.exec(select(OneTimeCode.attempts)).one() == 0
        assert session.exec(select(Account).where(Account.phone == NEW_PHONE)).first() is None


async def test_staff_username_and_password_fields(user: User) -> None:
    await user.open('/staff/login')
    before = counts()
    for field, other, other_value in (('scc-username', 'scc-password', DEMO_PASSWORD),
                                      ('scc-password', 'scc-username', 'gate1')):  # fmt: skip
        for value in BAD_VALUES:
            user.find(marker=other).clear().type(other_value)
            message = await submit(user, field, value, 'scc-submit')
            expected = '请输入用户名和密码。' if value == '' else '用户名或密码错误。'
            assert message == expected, (field, value[:30])
    after = counts()
    assert after['Account'] == before['Account']
    # Only the failed sign-ins are written (script and SQL, as username and as password), the text kept inert.
    assert after['AuditEntry'] - before['AuditEntry'] == 4
    with db.read_session() as session:
        gate = session.exec(select(Account).where(Account.username == 'gate1')).one()
        labels = set(session.exec(select(AuditEntry.actor_label).where(AuditEntry.action == 'signin.failed')))
    assert gate.failed_logins == 2 and gate.locked_until is None
    assert {SCRIPT, SQL.lower()} <= labels
    assert_no_raw_html(user, SCRIPT)
    # The admin reads them on the audit page as text.
    user.find(marker='scc-username').clear().type('admin')
    user.find(marker='scc-password').clear().type(DEMO_PASSWORD)
    user.find(marker='scc-submit').click()
    await user.should_see('欢迎，', retries=40)
    await user.open('/admin/audit')
    table = user.find(marker='scc-audit').elements.pop()
    assert isinstance(table, ui.table)
    assert SCRIPT in {row['actor'] for row in table.rows}
    assert_no_raw_html(user, SCRIPT)


async def test_profile_name_and_id_fields(user: User) -> None:
    await sign_in_resident(user, NEW_PHONE)
    await user.should_see(marker='scc-save', retries=40)
    user.find(marker='scc-district').click()
    user.find('历下区').click()
    good_number = demo_id_number('370102', date(1992, 4, 5), '555')
    before = counts()
    expected_name = {'': '请输入真实姓名。', OVERLONG: '姓名最多 40 个字符。'}
    expected_id = {'': '请输入身份证号码。'}
    for value in BAD_VALUES:
        user.find(marker='scc-id').clear().type(good_number)
        message = await submit(user, 'scc-name', value, 'scc-save')
        assert message == expected_name.get(value, '姓名只能包含文字、空格和间隔号（·）。'), value[:30]
        user.find(marker='scc-name').clear().type('赵敏')
        message = await submit(user, 'scc-id', value, 'scc-save')
        assert message == expected_id.get(value, '身份证号码为 18 位：前 17 位为数字，最后一位为数字或 X。'), value[:30]
    assert counts() == before
    with db.read_session() as session:
        assert session.exec(select(Account.display_name).where(Account.phone == NEW_PHONE)).one() == '139****0011'


async def test_family_relation_field(user: User) -> None:
    await sign_in_resident(user, '13800000002')
    await user.should_see('城市公告', retries=40)
    await user.open('/me')
    before = counts()
    for i, value in enumerate(BAD_VALUES):
        user.find(marker='scc-family-name').clear().type('王大妈')
        user.find(marker='scc-family-id').clear().type(demo_id_number('370103', date(1948, 8, 8 + i), '222'))
        message = await submit(user, 'scc-family-relation', value, 'scc-family-add')
        assert message == ('请填写：关系。' if value == '' else '关系：最多 20 个字符。'), value[:30]
    assert counts() == before
    # Short markup fits the field: it is stored as typed and shown as text.
    markup = '<b onclick=x>母亲</b>'
    message = await submit(user, 'scc-family-relation', markup, 'scc-family-add')
    assert message == '家庭成员已添加。'
    await user.should_see(f'王大妈 · {markup}', retries=40)
    assert_no_raw_html(user, markup)
    assert counts()['Person'] == before['Person'] + 1


NOTICE_FIELDS = {
    'scc-title-zh': ('标题（中文）', 120, '停水通知'),
    'scc-title-en': ('标题（英文）', 120, 'Water off'),
    'scc-body-zh': ('正文（中文）', 2000, '今晚停水。'),
    'scc-body-en': ('正文（英文）', 2000, 'No water tonight.'),
}


async def test_notice_form_fields(user: User) -> None:
    await user.open('/staff/login')
    user.find(marker='scc-username').type('admin')
    user.find(marker='scc-password').type(DEMO_PASSWORD)
    user.find(marker='scc-submit').click()
    await user.should_see('欢迎，', retries=40)
    await user.open('/admin/notices')
    before = counts()
    posted = 0
    for field, (label, limit, _good) in NOTICE_FIELDS.items():
        for value in BAD_VALUES:
            for other, (_label, _limit, good) in NOTICE_FIELDS.items():
                user.find(marker=other).clear().type(good)
            message = await submit(user, field, value, 'scc-post')
            if value == '':
                assert message == f'请填写：{label}。'
            elif value == OVERLONG:
                assert message == f'{label}：最多 {limit} 个字符。'
            else:  # markup and SQL are text like any other: stored as typed
                assert message == '公告已发布，所有打开的首页将立即显示。', (field, value)
                posted += 1
            assert counts()['Notice'] == before['Notice'] + posted
    assert posted == 8
    assert_no_raw_html(user, SCRIPT, SQL)
    with db.read_session() as session:
        stored = session.exec(select(Notice).where(Notice.title_zh == SCRIPT)).one()
    assert stored.title_en == 'Water off'
    # A resident sees the script as text on Home.
    await user.open('/logout')
    await sign_in_resident(user, '13800000001')
    await user.should_see('城市公告', retries=40)
    for _ in range(40):
        if shown_as_text(user, SQL) and shown_as_text(user, SCRIPT):
            break
        await asyncio.sleep(0.1)
    assert shown_as_text(user, SQL) and shown_as_text(user, SCRIPT)
    assert_no_raw_html(user, SCRIPT, SQL)
    assert '<script>alert(1)</script>' not in (await user.http_client.get('/')).text  # escaped in the HTML too
