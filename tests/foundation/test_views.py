"""The foundation's pages through NiceGUI's simulated user: sign-in, first profile, Me, language, large text, role
refusals, and the admin pages."""

import asyncio
import re
from collections.abc import Callable
from datetime import date

from nicegui import ui
from nicegui.elements.query import QueryElement
from nicegui.testing import User
from sqlmodel import select

from models.accounts import Account
from services import db
from services.foundation.demo import demo_id_number
from tests.support.pages import choose, not_see, see, sign_in_resident, sign_in_staff
from views.foundation.signin import _safe_next

NEW_PHONE = '13900000009'
DEMO_NUMBER = demo_id_number('370102', date(1985, 3, 14), '123')  # the demo resident 张伟 (13800000001)
RESIDENT_PAGES = ('/', '/me', '/code', '/services', '/notices')


async def page_text(user: User, path: str) -> str:
    """Everything the server sends for `path` to this browser (HTML with the page's elements and their data)."""
    response = await user.http_client.get(path, follow_redirects=True)
    assert response.status_code == 200
    return response.text


def account(phone: str) -> Account:
    with db.read_session() as session:
        return session.exec(select(Account).where(Account.phone == phone)).one()


async def test_sign_in_with_a_wrong_code_says_so(user: User) -> None:
    await user.open('/login')
    user.find(marker='scc-phone').type('13800000001')
    user.find(marker='scc-ask').click()
    await see(user, marker='scc-demo-code')
    label = user.find(marker='scc-demo-code').elements.pop()
    code = re.search(r'\d{6}', label.text).group(0)  # type: ignore[attr-defined, union-attr]
    user.find(marker='scc-code').type(f'{(int(code) + 1) % 10**6:06d}')
    user.find(marker='scc-submit').click()
    await see(user, '验证码错误，还可尝试 4 次。')
    user.find(marker='scc-code').clear().type(code)
    user.find(marker='scc-submit').click()
    await see(user, '城市公告')
    await see(user, '您好，张伟')  # their own name, unmasked: it is theirs to see


async def test_first_sign_in_completes_the_profile(user: User) -> None:
    await sign_in_resident(user, NEW_PHONE)
    await see(user, '完善个人信息')
    user.find(marker='scc-name').type('赵敏')
    good = demo_id_number('370102', date(1992, 4, 5), '555')
    wrong_last = '0' if good[-1] != '0' else '1'
    user.find(marker='scc-id').type(good[:17] + wrong_last)
    choose(user, 'scc-district', '历下区')
    user.find(marker='scc-save').click()
    await see(user, '校验码（最后一位）不符，请检查身份证号码是否输错。')
    assert account(NEW_PHONE).display_name != '赵*'  # nothing saved
    user.find(marker='scc-id').clear().type(good)
    user.find(marker='scc-save').click()
    await see(user, '个人信息已保存。')
    await see(user, '城市公告')
    await user.open('/me')
    await see(user, good[:6] + '********' + good[-4:])
    for path in RESIDENT_PAGES:
        assert good not in await page_text(user, path), path


async def test_a_signed_in_resident_without_profile_is_sent_to_complete_it(user: User) -> None:
    await sign_in_resident(user, NEW_PHONE)
    await see(user, '完善个人信息')
    await user.open('/me')
    await see(user, marker='scc-id')  # redirected back to the profile form


async def test_profile_shows_the_id_number_masked_only(user: User) -> None:
    await sign_in_resident(user, '13800000001')
    await see(user, '城市公告')
    await user.open('/me')
    await see(user, f'身份证号：{DEMO_NUMBER[:6]}********{DEMO_NUMBER[-4:]}')
    father = demo_id_number('370102', date(1950, 5, 1), '131')
    await see(user, father[:6] + '********' + father[-4:])
    for path in RESIDENT_PAGES:
        text = await page_text(user, path)
        assert DEMO_NUMBER not in text and father not in text, path
        assert DEMO_NUMBER[6:14] not in text, path  # not even the birth date part


async def test_add_a_family_member(user: User) -> None:
    await sign_in_resident(user, '13800000002')
    await see(user, '城市公告')
    await user.open('/me')
    await see(user, '暂无。可添加没有智能手机的老人或孩子。')
    number = demo_id_number('370103', date(1948, 8, 8), '222')
    user.find(marker='scc-family-name').type('王大妈')
    user.find(marker='scc-family-id').type(number)
    user.find(marker='scc-family-relation').type('母亲')
    user.find(marker='scc-family-add').click()
    await see(user, '家庭成员已添加。')
    await see(user, '王大妈 · 母亲')
    await see(user, number[:6] + '********' + number[-4:])
    assert number not in await page_text(user, '/me')
    # A bad number is refused with its message and adds nobody.
    user.find(marker='scc-family-name').type('王小弟')
    user.find(marker='scc-family-id').type('370103199')
    user.find(marker='scc-family-relation').type('弟弟')
    user.find(marker='scc-family-add').click()
    await see(user, '身份证号码为 18 位：前 17 位为数字，最后一位为数字或 X。')
    assert len(user.find(marker='scc-family').elements) == 1
    # Removing asks first; "back" keeps the member.
    user.find(marker='scc-family-remove').click()
    await see(user, '确定将王大妈从您的家庭成员中移除吗？其健康码仍然保留。')
    user.find(marker='scc-confirm-no').click()
    await see(user, '王大妈 · 母亲')
    user.find(marker='scc-family-remove').click()
    await see(user, marker='scc-confirm-yes')
    user.find(marker='scc-confirm-yes').click()
    await not_see(user, '王大妈 · 母亲')


async def test_language_switch_is_remembered_for_the_account(user: User, create_user: Callable[[], User]) -> None:
    await sign_in_resident(user, '13800000001')
    await see(user, '城市公告')
    user.find(marker='scc-lang').click()
    await see(user, 'City announcements')
    await see(user, 'Welcome to Spring City Cloud')  # data kept in both languages follows the switch
    await user.should_not_see('城市公告')
    user.find(marker='scc-lang').click()
    await see(user, '城市公告')
    await user.should_not_see('City announcements')
    user.find(marker='scc-lang').click()
    await see(user, 'City announcements')
    assert account('13800000001').language == 'en-US'
    await user.open('/logout')
    await see(user, marker='scc-phone')
    other_browser = create_user()  # a new browser knows nothing: the account remembers
    await sign_in_resident(other_browser, '13800000001')
    await see(other_browser, 'City announcements')
    await other_browser.open('/me')
    await see(other_browser, 'Family members I manage')


async def test_large_text_switch(user: User) -> None:
    await sign_in_resident(user, '13800000001')
    await see(user, '城市公告')
    await user.open('/me')

    def large() -> bool:
        assert user.client is not None
        return any(
            isinstance(e, QueryElement) and e.props['selector'] == 'body' and 'scc-large' in e.props['classes']
            for e in user.client.layout.descendants()
        )

    assert not large()
    user.find(marker='scc-large-switch').click()
    for _ in range(50):  # the page saves the choice and reloads itself
        if large():
            break
        await asyncio.sleep(0.1)
    assert large()
    assert account('13800000001').large_text is True
    await user.open('/')
    assert large()  # on every page
    await user.open('/logout')
    await sign_in_resident(user, '13800000002')  # the next person on this phone has their own setting
    await see(user, '城市公告')
    assert not large()


def test_sign_in_returns_only_to_local_pages() -> None:
    assert _safe_next('/me', '/') == '/me'
    assert _safe_next('/notices?page_number=2', '/') == '/notices?page_number=2'
    for target in ('https://evil.example', '//evil.example', '/\\evil.example', '/\tevil', '', None):
        assert _safe_next(target, '/') == '/', target


async def test_resident_is_refused_the_admin_pages(user: User) -> None:
    await sign_in_resident(user, '13800000001')
    await see(user, '城市公告')
    for path in ('/admin/accounts', '/admin/audit', '/admin/notices', '/staff'):
        await user.open(path)
        await see(user, '无权访问')  # "Access refused"
        await user.should_not_see(marker='scc-account')
        await user.should_not_see(marker='scc-audit')
        await user.should_not_see('doctor1')
    user.find(marker='scc-lang').click()
    await see(user, 'Access refused')


async def test_checkpoint_staff_is_refused_the_audit_log(user: User) -> None:
    await sign_in_staff(user, 'gate1')
    await user.open('/admin/audit')
    await see(user, '无权访问')
    await user.should_not_see(marker='scc-audit')
    await user.should_not_see('signin')
    await user.open('/')  # a resident page
    await see(user, '无权访问')


async def test_signed_out_user_is_sent_to_sign_in(user: User) -> None:
    response = await user.http_client.get('/', follow_redirects=False)
    assert response.status_code in (302, 303, 307)
    assert response.headers['location'].startswith('/login')
    response = await user.http_client.get('/admin/audit', follow_redirects=False)
    assert response.headers['location'].startswith('/staff/login')
    await user.open('/')
    await see(user, marker='scc-phone')
    await user.should_not_see('城市公告')


async def test_admin_creates_staff_and_changes_a_role_both_audited(user: User) -> None:
    await sign_in_staff(user, 'admin')
    await user.open('/admin/accounts')
    await see(user, marker='scc-role-doctor1')
    user.find(marker='scc-new-username').type('nurse1')
    user.find(marker='scc-new-display').type('护士小刘 Nurse Liu')
    choose(user, 'scc-new-role', '医生')
    user.find(marker='scc-new-password').type('long-enough-1')
    user.find(marker='scc-create').click()
    await see(user, '账号 nurse1 已创建。')
    await see(user, marker='scc-role-nurse1')
    choose(user, 'scc-role-nurse1', '药师')
    await see(user, '角色已变更。')
    await user.open('/admin/audit')
    await see(user, marker='scc-audit')
    table = user.find(marker='scc-audit').elements.pop()
    assert isinstance(table, ui.table)
    rows = {(row['action'], row['detail']) for row in table.rows}  # what happened, in words: no internal codes
    assert ('创建工作人员账号', 'nurse1 as doctor') in rows
    assert ('角色变更', 'doctor -> pharmacist') in rows
    assert ('登录', 'password') in rows
    assert all('.' not in row['action'] for row in table.rows)
    await user.open('/admin/audit?kind=role.changed')  # filtered by what
    await see(user, marker='scc-audit')
    table = user.find(marker='scc-audit').elements.pop()
    assert isinstance(table, ui.table)
    assert {row['action'] for row in table.rows} == {'角色变更'}
    await user.open('/logout')  # the new account signs in with its new role
    await user.open('/staff/login')
    user.find(marker='scc-username').type('nurse1')
    user.find(marker='scc-password').type('long-enough-1')
    user.find(marker='scc-submit').click()
    await see(user, '角色：药师')


async def test_the_one_element_notice_list_shows_what_the_element_cards_show(user: User) -> None:
    """Home renders its announcements as one HTML element for speed: the same texts and styles as the element
    version of a card (`notice_card`), every text escaped."""
    from html.parser import HTMLParser

    from models.common import utcnow
    from models.notices import NoticePublic
    from views.foundation.home import notice_card, notice_card_html

    notice = NoticePublic(id=9, title_zh='停水<b>通知</b>', title_en='Water <b>cut</b>', body_zh='明日停水\n请储水',
                          body_en='No water tomorrow', urgent=True, created_at=utcnow())  # fmt: skip

    @ui.page('/test/notice-card')
    def card_page() -> None:
        notice_card(notice)

    await user.open('/test/notice-card')
    element_texts = [label.text for label in user.find(kind=ui.label).elements]  # type: ignore[attr-defined]
    card = next(iter(user.find(kind=ui.card).elements))

    class Texts(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.texts: list[str] = []
            self.classes: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.classes.append(dict(attrs).get('class') or '')

        def handle_data(self, data: str) -> None:
            if data.strip() and data != 'campaign':  # the icon's ligature is not a label
                self.texts.append(data)

    parsed = Texts()
    parsed.feed(notice_card_html(notice))
    assert sorted(parsed.texts) == sorted(element_texts)
    assert '<b>' not in notice_card_html(notice)  # escaped, shown as text
    assert set(card.classes) <= set(parsed.classes[0].split())  # the same card styles (urgent: the red border)


async def test_a_long_announcement_is_cut_on_home_with_more_leading_to_the_whole_text(user: User) -> None:
    with db.session_scope() as session:
        from models.notices import NoticeCreate
        from services.foundation import notices
        from tests.support.actors import admin

        long_text = '停水通知。' * 150  # 750 characters
        draft = NoticeCreate(title_zh='长公告', title_en='Long notice', body_zh=long_text, body_en='Long ' * 150)
        notices.post_notice(session, actor=admin(), notice=draft)
    await sign_in_resident(user, '13800000001')
    await see(user, '城市公告')
    home = await page_text(user, '/')
    assert 'scc-clamp' in home and 'scc-notice-more' in home
    await user.open('/notices')
    await see(user, long_text)  # the whole text on the announcements page


async def test_a_double_click_on_post_posts_one_announcement(user: User) -> None:
    from sqlmodel import func

    from models.notices import Notice

    await sign_in_staff(user, 'admin')
    await user.open('/admin/notices')
    user.find(marker='scc-title-zh').type('双击测试')
    user.find(marker='scc-title-en').type('Double click')
    user.find(marker='scc-body-zh').type('正文')
    user.find(marker='scc-body-en').type('Text')
    user.find(marker='scc-post').click()
    user.find(marker='scc-post').click()  # the second tap arrives while the first runs
    await see(user, '公告已发布，所有打开的首页将立即显示。')
    with db.read_session() as session:
        assert (
            session.exec(select(func.count()).select_from(Notice).where(Notice.title_en == 'Double click')).one() == 1
        )
