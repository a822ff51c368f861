"""Demo performances by Jinan troupes: one live now, some today and upcoming, one past with a replay."""

from datetime import timedelta

from sqlmodel import Session, select

from models.accounts import Account
from models.common import utcnow
from models.shows import PlatformFigure, Show, ShowChange, ShowLink, ShowState, ViewerSample
from services.city import current_city

S = ShowState
LINKS = [
    ('抖音', 'https://www.douyin.com/'),
    ('快手', 'https://www.kuaishou.com/'),
    ('央视频', 'https://www.yangshipin.cn/'),
    ('bilibili', 'https://live.bilibili.com/'),
]
# (title zh, title en, troupe, venue, start offset in hours, length in hours, state, stream, replay, figures)
DEMO = [
    (
        '吕剧《李二嫂改嫁》',
        'Lü opera: Second Sister-in-law Li Remarries',
        '济南市吕剧院',
        '济南市吕剧院 百花剧场',
        -0.4,
        2.0,
        S.live,
        '',  # no stream of its own in the demo city: the page says so and offers the platform links
        '',
        [
            ('抖音', 95_000, 1_200_000),
            ('快手', 41_000, 500_000),
            ('央视频', 18_000, 250_000),
            ('bilibili', 9_000, 150_000),
        ],
    ),
    (
        '京剧《锁麟囊》',
        'Peking opera: The Jewelled Purse',
        '济南市京剧院',
        '济南市京剧院 梨园大剧院',
        2.5,
        2.5,
        S.scheduled,
        '/media/demo/jingju.m3u8',
        '',
        [],
    ),
    (
        '杂技《泉城记忆》',
        'Acrobatics: Memories of the Spring City',
        '山东省杂技团',
        '山东省会大剧院',
        50.0,
        1.5,
        S.scheduled,
        '/media/demo/zaji.m3u8',
        '',
        [],
    ),
    (
        '吕剧《姊妹易嫁》',
        'Lü opera: The Sisters Swap Marriages',
        '济南市吕剧院',
        '济南市吕剧院 百花剧场',
        120.0,
        2.0,
        S.scheduled,
        '',
        '',
        [],
    ),
    (
        '京剧《红灯记》选场',
        'Peking opera: The Red Lantern (scenes)',
        '济南市京剧院',
        '济南市京剧院 梨园大剧院',
        -74.0,
        2.0,
        S.replay,
        '/media/demo/hongdeng-live.m3u8',
        '/media/demo/hongdeng-replay.m3u8',
        [('抖音', 38_000, 320_000), ('快手', 21_000, 160_000), ('央视频', 9_000, 80_000), ('bilibili', 6_000, 40_000)],
    ),
]

# The English names of the demo troupes and venues (a name with none falls back to its Chinese one).
ENGLISH = {
    '济南市吕剧院': 'Jinan Lü Opera Theatre',
    '济南市吕剧院 百花剧场': 'Baihua Theatre, Jinan Lü Opera Theatre',
    '济南市京剧院': 'Jinan Peking Opera Theatre',
    '济南市京剧院 梨园大剧院': 'Liyuan Grand Theatre, Jinan Peking Opera Theatre',
    '山东省杂技团': 'Shandong Acrobatic Troupe',
    '山东省会大剧院': 'Shandong Grand Theatre',
}


def seed(session: Session) -> bool:
    """Create the demo performances once (idempotent); True when it seeded."""
    if session.exec(select(Show.id)).first() is not None:
        return False
    organizer = session.exec(select(Account).where(Account.username == 'organizer1')).first()
    organizer_id = organizer.id if organizer else None
    label = organizer.display_name if organizer else 'system'
    now = utcnow().replace(second=0, microsecond=0)
    for title_zh, title_en, troupe, venue, offset, hours, state, stream, replay, figures in DEMO:
        troupe_en, venue_en = ENGLISH.get(troupe, ''), ENGLISH.get(venue, '')
        starts = now + timedelta(hours=offset)
        ends = starts + timedelta(hours=hours)
        show = Show(
            title_zh=title_zh,
            title_en=title_en,
            troupe=troupe,
            venue=venue,
            troupe_en=troupe_en,
            venue_en=venue_en,
            starts_at=starts,
            ends_at=ends,
            description_zh=f'{troupe}倾情演出，线上直播，欢迎在家观看。',
            description_en=f'A performance by {troupe_en or troupe}, streamed live: watch from home.',
            stream_url=stream,
            replay_url=replay,
            state=state,
            created_by=organizer_id,
            timezone=current_city().timezone,
            went_live_at=starts if state in (S.live, S.replay) else None,
            ended_at=ends if state is S.replay else None,
            inapp_peak=3_120 if state is S.replay else 0,
        )
        session.add(show)
        session.flush()
        assert show.id is not None
        for position, (name, url) in enumerate(LINKS):
            session.add(ShowLink(show_id=show.id, name=name, url=url, position=position))
        session.add(
            ShowChange(
                show_id=show.id,
                at=starts - timedelta(days=7),
                actor_account_id=organizer_id,
                actor_label=label,
                action='created',
                to_state=S.scheduled.value,
            )
        )
        if state in (S.live, S.replay):
            session.add(
                ShowChange(
                    show_id=show.id,
                    at=starts,
                    actor_account_id=organizer_id,
                    actor_label=label,
                    action='live',
                    from_state=S.scheduled.value,
                    to_state=S.live.value,
                )
            )
        for name, peak, views in figures:
            for step in range(1, 5):  # four reports an hour apart, growing to the final figure
                session.add(
                    PlatformFigure(
                        show_id=show.id,
                        platform=name,
                        recorded_at=starts + timedelta(minutes=30 * step),
                        concurrent_peak=peak * step // 4,
                        cumulative_views=views * step // 4,
                        entered_by=organizer_id,
                    )
                )
        if state is S.replay:
            for minute in range(0, 120, 10):
                session.add(
                    ViewerSample(
                        show_id=show.id,
                        minute=starts + timedelta(minutes=minute),
                        viewers=int(3_120 * (1 - abs(minute - 60) / 80)),
                    )
                )
    session.flush()
    return True
