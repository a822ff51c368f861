"""The show pages as residents and organizers use them: schedule, watch page, Home banner, organizer console;
every organizer change reaches open pages without reload; comments are escaped and hidden comments vanish."""

import io
import time
from datetime import timedelta
from pathlib import Path

import pytest
from nicegui import ui
from nicegui.elements.upload_files import SmallFileUpload
from nicegui.testing import User
from PIL import Image

from models.common import utcnow
from models.shows import Show, ShowLinkPublic, ShowState
from services import db
from services.events import bus
from services.foundation import auth
from services.settings import settings
from services.shows import ViewerCounts, comments, editing, lifecycle, reminders, viewers
from services.shows.viewers import ViewerCounter
from tests.support.pages import see, sign_in_resident, sign_in_staff
from tests.support.shows import (
    HOME,
    form,
    live_show_id,
    local,
    make_show,
    organizer,
    resident,
    scheduled_show_id,
    state_of,
)
from tests.support.waits import wait_for
from views.shows.watch import platform_links


def texts(user: User) -> set[str]:
    assert user.client is not None
    return {e.text for e in list(user.client.elements.values()) if isinstance(e, ui.label)}


def marked(user: User, marker: str) -> list[ui.element]:
    """Elements of the open page with `marker` (an empty list when there are none)."""
    assert user.client is not None
    return [e for e in list(user.client.elements.values()) if marker in e._markers]  # noqa: SLF001


def stream(user: User) -> str:
    """What the comment stream of the open watch page shows (its HTML)."""
    return ''.join(str(getattr(e, 'content', '')) for e in marked(user, 'scc-comments'))


def visible(user: User, marker: str) -> bool:
    return any(e.visible for e in marked(user, marker))


async def test_the_schedule_groups_shows_and_changes_without_reload(user: User) -> None:
    await sign_in_resident(user, landing_marker=HOME)
    await user.open('/shows')
    await see(user, marker='scc-group-live')
    await see(user, '吕剧《李二嫂改嫁》')
    await see(user, marker='scc-group-past')
    await see(user, '京剧《红灯记》选场')
    show_id = scheduled_show_id()
    with db.session_scope() as session:
        lifecycle.cancel(session, actor=organizer(), show_id=show_id, reason='演员生病')
    await wait_for(
        lambda: any('演员生病' in t for t in texts(user))
    )  # else: the cancellation did not reach the schedule


async def test_home_shows_live_now_and_it_goes_when_the_show_ends(user: User) -> None:
    await sign_in_resident(user, landing_marker=HOME)
    await see(user, marker='scc-live-banner')
    await see(user, '吕剧《李二嫂改嫁》')
    with db.session_scope() as session:
        lifecycle.end_show(session, actor=organizer(), show_id=live_show_id())
    await wait_for(lambda: not marked(user, 'scc-live-banner'))  # else: the banner stayed after the end
    with db.session_scope() as session:
        lifecycle.go_live(session, actor=organizer(), show_id=scheduled_show_id())
    await wait_for(lambda: bool(marked(user, 'scc-live-banner')))  # else: no banner for the new live show


async def test_the_watch_page_follows_go_live_banner_and_postponement(user: User) -> None:
    await sign_in_resident(user, landing_marker=HOME)
    show_id = scheduled_show_id()
    await user.open(f'/shows/{show_id}')
    await see(user, '已安排')  # Scheduled, in Chinese (the default language)
    assert not visible(user, 'scc-player') and not visible(user, 'scc-banner')
    links = ''.join(str(getattr(e, 'content', '')) for e in marked(user, 'scc-platform-links'))
    assert 'href="https://www.douyin.com/"' in links and '抖音' in links
    with db.session_scope() as session:
        lifecycle.go_live(session, actor=organizer(), show_id=show_id)
    await wait_for(lambda: visible(user, 'scc-player'))  # else: the player did not appear on go-live
    await see(user, '直播中')
    video = next(iter(user.find(marker='scc-video').elements))
    assert video.props['data-scc-src'] == '/media/demo/jingju.m3u8'
    with db.session_scope() as session:
        lifecycle.set_banner(session, actor=organizer(), show_id=show_id, raised=True)
    await wait_for(lambda: visible(user, 'scc-banner'))  # else: the banner did not appear
    with db.session_scope() as session:
        lifecycle.set_banner(session, actor=organizer(), show_id=show_id, raised=False)
    await wait_for(lambda: not visible(user, 'scc-banner'))  # else: the banner did not go


async def test_comments_are_escaped_and_hidden_ones_vanish(user: User) -> None:
    await sign_in_resident(user, landing_marker=HOME)
    show_id = live_show_id()
    await user.open(f'/shows/{show_id}')
    user.find(marker='scc-comment-input').type('<b>bold</b><img src=x onerror=alert(1)>')
    user.find(marker='scc-comment-send').click()
    escaped = '&lt;b&gt;bold&lt;/b&gt;&lt;img src=x onerror=alert(1)&gt;'
    await wait_for(lambda: escaped in stream(user))  # else: the comment did not appear
    assert '<b>' not in stream(user) and '<img' not in stream(user)  # typed HTML stays text
    with db.session_scope() as session:
        posted = comments.post_comment(session, actor=resident('13800000002'), show_id=show_id, text='买票加微信 spam')
    await wait_for(lambda: '买票加微信 spam' in stream(user))  # else: another resident's comment did not arrive
    with db.session_scope() as session:
        comments.hide_comment(session, actor=organizer(), comment_id=posted.id)
    await wait_for(lambda: '买票加微信 spam' not in stream(user))  # else: the hidden comment stayed
    user.find(marker='scc-comment-input').type('太快了')
    user.find(marker='scc-comment-send').click()
    await see(user, '评论太快')  # rate limited, in the user's language


async def test_remind_me(user: User) -> None:
    await sign_in_resident(user, landing_marker=HOME)
    await user.open(f'/shows/{scheduled_show_id()}')
    user.find(marker='scc-remind').click()
    await see(user, '已开启提醒')


async def test_the_organizer_goes_live_with_one_switch(user: User) -> None:
    await sign_in_staff(user, 'organizer1')
    await user.open('/organizer/shows')
    await see(user, marker='scc-console-row')
    show_id = scheduled_show_id()
    await user.open(f'/organizer/shows/{show_id}')
    await see(user, marker='scc-golive')
    user.find(marker='scc-golive').click()
    await wait_for(lambda: state_of(show_id) is ShowState.live)  # else: the switch did not take the show live
    await see(user, marker='scc-history')
    user.find(marker='scc-banner-switch').click()
    await wait_for(lambda: _banner(show_id))  # else: the banner was not raised


def _banner(show_id: int) -> bool:
    with db.read_session() as session:
        return bool(session.get(Show, show_id).banner)  # type: ignore[union-attr]


async def test_a_resident_cannot_open_the_console(user: User) -> None:
    await sign_in_resident(user, landing_marker=HOME)
    await user.open('/organizer/shows')
    await see(user, marker='scc-refusal')


async def test_a_subscriber_online_hears_of_go_live_on_any_page(user: User) -> None:
    await sign_in_resident(user, landing_marker=HOME)
    show_id = scheduled_show_id()
    with db.session_scope() as session:
        reminders.subscribe(session, actor=resident(), show_id=show_id)
    await user.open('/me')  # any page of the app: the reminder is not tied to the show's own page
    with db.session_scope() as session:
        lifecycle.go_live(session, actor=organizer(), show_id=show_id)
    await wait_for(
        lambda: user.notify.contains('正在直播：京剧《锁麟囊》')
    )  # else: no go-live notice for the subscriber


def test_in_app_viewers_are_counted_per_show_across_processes() -> None:
    counter = ViewerCounter()
    for _ in range(3):
        counter.join(1)
    counter.join(2)
    counter.leave(1)
    assert counter.total(1) == 2 and counter.total(2) == 1
    counter.heard(ViewerCounts(origin='other-process', counts={1: 5}))
    counter.heard(ViewerCounts(origin=bus.origin, counts={1: 99}))  # our own echo
    assert counter.total(1) == 7 and counter.totals() == {1: 7, 2: 1}
    counter.remote['other-process'] = (time.monotonic() - 60, {1: 5})  # a process that went silent
    assert counter.total(1) == 2


async def test_the_organizer_creates_a_show_and_bad_input_gets_a_message(user: User) -> None:
    await sign_in_staff(user, 'organizer1')
    await user.open('/organizer/shows/new')
    start = utcnow() + timedelta(days=3)
    user.find(marker='scc-f-title-zh').type('杂技《百鸟朝凤》')
    user.find(marker='scc-f-title-en').type('Acrobatics: Hundred Birds')
    user.find(marker='scc-f-troupe').type('山东省杂技团')
    user.find(marker='scc-f-venue').type('山东省会大剧院')
    user.find(marker='scc-f-start').type('明天晚上')
    user.find(marker='scc-f-end').type(local(start + timedelta(hours=2)))
    user.find(marker='scc-f-save').click()
    await see(user, '请按 YYYY-MM-DD HH:MM 格式填写日期和时间')
    user.find(marker='scc-f-start').clear().type(local(start))
    user.find(marker='scc-f-save').click()
    await wait_for(lambda: user.back_history[-1].startswith('/organizer/shows/') and 'new' not in user.back_history[-1])
    await see(user, '杂技《百鸟朝凤》')


async def test_the_console_takes_a_poster_and_a_csv_and_refuses_junk(
    user: User, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, 'data_dir', tmp_path)
    await sign_in_staff(user, 'organizer1')
    show_id = live_show_id()
    await user.open(f'/organizer/shows/{show_id}')
    poster_upload = next(iter(user.find(marker='scc-poster-upload').elements))
    await poster_upload.handle_uploads([SmallFileUpload('poster.exe', 'image/png', b'MZ\x90\x00 not an image')])  # type: ignore[attr-defined]
    await see(user, '无法识别这个文件')
    picture = io.BytesIO()
    Image.new('RGB', (900, 1300), (120, 10, 30)).save(picture, 'PNG')
    await poster_upload.handle_uploads([SmallFileUpload('poster.png', 'image/png', picture.getvalue())])  # type: ignore[attr-defined]
    await see(user, '海报已保存')
    assert list((tmp_path / 'posters').glob('*-small.jpg'))
    csv_upload = next(iter(user.find(marker='scc-fig-csv').elements))
    data = '平台,同时在线峰值,累计观看\n微博,7000,90000\n'.encode()
    await csv_upload.handle_uploads([SmallFileUpload('figures.csv', 'text/csv', data)])  # type: ignore[attr-defined]
    await see(user, '已导入 1 行')
    await csv_upload.handle_uploads([SmallFileUpload('bad.csv', 'text/csv', b'weibo,lots,1\n')])  # type: ignore[attr-defined]
    await see(user, '第 1 行')


def test_platform_links_are_escaped() -> None:
    with db.read_session() as session:
        show = editing.get_show(session, show_id=live_show_id())
    tricky = show.model_copy(
        update={'links': [ShowLinkPublic(name='<img src=x onerror=alert(1)>', url='https://a.example/?q="x"')]}
    )
    rendered = platform_links(tricky)
    assert '<img' not in rendered and '&lt;img src=x onerror=alert(1)&gt;' in rendered
    assert 'href="https://a.example/?q=&quot;x&quot;"' in rendered


async def test_the_demo_live_show_has_no_dead_stream_the_page_says_so(user: User) -> None:
    with db.read_session() as session:
        show = editing.get_show(session, show_id=live_show_id())
    # The demo city ships no stream: a URL there would answer 404 and show a dead player.
    assert show.stream_url == ''
    await sign_in_resident(user, landing_marker=HOME)
    await user.open(f'/shows/{show.id}')
    await see(user, '直播中')
    assert not visible(user, 'scc-player')  # no dead player
    assert visible(user, 'scc-stream-missing')
    await see(user, '本场演出不在应用内直播，请通过下方平台观看。')  # said plainly, and the platform links are offered
    links = ''.join(str(getattr(e, 'content', '')) for e in marked(user, 'scc-platform-links'))
    assert 'href="https://www.douyin.com/"' in links


async def test_remind_me_is_not_offered_while_live_or_after(user: User) -> None:
    await sign_in_resident(user, landing_marker=HOME)
    await user.open(f'/shows/{live_show_id()}')
    await see(user, '直播中')
    assert not visible(user, 'scc-remind')
    show_id = scheduled_show_id()
    await user.open(f'/shows/{show_id}')
    await see(user, marker='scc-remind')
    assert visible(user, 'scc-remind')
    with db.session_scope() as session:
        lifecycle.go_live(session, actor=organizer(), show_id=show_id)
    await wait_for(lambda: not visible(user, 'scc-remind'))  # else: "Remind me" stayed once the show went live


async def test_the_watch_page_counts_its_own_viewer_at_once(user: User) -> None:
    viewers.counter.reset()
    await sign_in_resident(user, landing_marker=HOME)
    show_id = live_show_id()
    await user.open(f'/shows/{show_id}')
    # This viewer, right away — not "0 watching" until the next count arrives while the console says 1.
    assert [getattr(e, 'text', '') for e in marked(user, 'scc-viewers')] == ['应用内 1 人正在观看']
    await wait_for(lambda: viewers.counter.total(show_id) == 1)  # else: the open page was not counted
    await see(user, '应用内 1 人正在观看')  # counted once, not twice


async def test_troupe_and_venue_follow_the_language_with_a_fallback(user: User) -> None:
    with db.session_scope() as session:
        auth.set_preferences(session, actor=resident(), language='en-US')
    await sign_in_resident(user, landing_marker=HOME)
    await user.open(f'/shows/{live_show_id()}')
    await see(user, 'Jinan Lü Opera Theatre · Baihua Theatre, Jinan Lü Opera Theatre')  # not 济南市吕剧院 in en
    assert not any('济南' in getattr(e, 'text', '') for e in marked(user, 'scc-troupe-venue'))
    no_english = make_show()  # a show entered with Chinese names only: en shows them rather than nothing
    await user.open(f'/shows/{no_english}')
    await see(user, '济南市吕剧院 · 百花剧场')
    with db.session_scope() as session:
        editing.update_show(session, actor=organizer(), show_id=no_english,
                            data=form(troupe_en='Jinan Lü Opera Theatre', venue_en='Baihua Theatre'))  # fmt: skip
    with db.read_session() as session:
        stored_show = editing.get_show(session, show_id=no_english)
    assert (stored_show.troupe_en, stored_show.venue_en) == ('Jinan Lü Opera Theatre', 'Baihua Theatre')
