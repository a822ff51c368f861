"""Text shown to others on shows: titles, troupes, venues, platform names, reasons and comments lose bidirectional
controls and are limited in length, in the service and on the page (every text field has a maxlength)."""

import pytest
from nicegui import ui
from nicegui.testing import User

from models.shows import ShowState
from services import db
from services.errors import DomainError
from services.shows import comments, editing, lifecycle
from tests.support.pages import see, sign_in_resident, sign_in_staff
from tests.support.shows import HOME, form, live_show_id, make_show, organizer, resident

RLO = '\u202e'


def test_a_right_to_left_override_in_a_comment_is_not_stored() -> None:
    show_id = make_show(ShowState.live)
    with db.session_scope() as session:
        posted = comments.post_comment(session, actor=resident(), show_id=show_id, text=f'好{RLO}!好 \u2066演出\u2069')
    assert posted.text == '好!好 演出'
    with db.read_session() as session:
        assert comments.recent_comments(session, show_id=show_id)[-1].text == '好!好 演出'


def test_titles_names_and_reasons_lose_bidirectional_controls() -> None:
    data = form(title_zh=f'{RLO}京剧', title_en=f'Opera{RLO}', troupe='剧团\u200f', venue='\u061c剧场',
                links=[(f'抖{RLO}音', 'https://www.douyin.com/')])  # fmt: skip
    with db.session_scope() as session:
        show = editing.create_show(session, actor=organizer(), data=data)
        cancelled = lifecycle.cancel(session, actor=organizer(), show_id=show.id, reason=f'演员{RLO}生病')
    assert (show.title_zh, show.title_en, show.troupe, show.venue) == ('京剧', 'Opera', '剧团', '剧场')
    assert show.links[0].name == '抖音' and cancelled.cancel_reason == '演员生病'


@pytest.mark.parametrize(
    ('field', 'limit'),
    [('title_zh', 120), ('title_en', 120), ('troupe', 80), ('venue', 120), ('description_zh', 2000)],
)
def test_every_show_text_is_limited_in_the_service(field: str, limit: int) -> None:
    with pytest.raises(DomainError, match=f'at most {limit}'), db.session_scope() as session:
        overrides: dict[str, object] = {field: '字' * (limit + 1)}
        editing.create_show(session, actor=organizer(), data=form(**overrides))  # type: ignore[arg-type]
    with pytest.raises(DomainError, match='at most 300'), db.session_scope() as session:
        lifecycle.cancel(session, actor=organizer(), show_id=make_show(), reason='字' * 301)


def text_fields_without_maxlength(user: User) -> list[str]:
    assert user.client is not None
    fields = [e for e in list(user.client.elements.values()) if isinstance(e, (ui.input, ui.textarea))]
    assert fields, 'no text fields on the page'
    return [str(e.props.get('label') or e.props.get('placeholder')) for e in fields if not e.props.get('maxlength')]


async def test_every_text_field_of_the_console_has_a_maxlength(user: User) -> None:
    await sign_in_staff(user, 'organizer1')
    await user.open('/organizer/shows/new')
    await see(user, marker='scc-f-title-zh')
    assert text_fields_without_maxlength(user) == []
    await user.open(f'/organizer/shows/{live_show_id()}')
    await see(user, marker='scc-golive')
    assert text_fields_without_maxlength(user) == []


async def test_the_comment_field_has_a_maxlength(user: User) -> None:
    await sign_in_resident(user, landing_marker=HOME)
    await user.open(f'/shows/{live_show_id()}')
    await see(user, marker='scc-comment-input')
    assert text_fields_without_maxlength(user) == []
