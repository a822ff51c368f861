"""Organizer console panels: viewer figures (kept apart) with a chart, comment moderation, the change history."""

from datetime import datetime
from typing import Any

from nicegui import ui
from nicegui.events import UploadEventArguments

from models.shows import ShowCommentPublic, ShowState
from services.access import Actor
from services.errors import N_
from services.shows import comments, common, figures
from services.shows.events import SHOW_CHANGED, SHOW_COMMENT, CommentChanged, ShowChanged
from services.shows.lifecycle import STATE_LABELS
from views.kit import call, live
from views.kit.fmt import city_time
from views.kit.i18n import _
from views.shows.widgets import uploader

ACTIONS = {
    'created': N_('created'), 'edited': N_('edited'), 'poster': N_('new poster'), 'starting_soon': N_('starting soon'),
    'live': N_('went live'), 'ended': N_('ended'), 'replay': N_('replay published'), 'postponed': N_('postponed'),
    'cancelled': N_('cancelled'), 'banner_raised': N_('banner raised'), 'banner_cleared': N_('banner cleared'),
}  # fmt: skip


def _chart_options(series: dict[str, list[tuple[str, int]]]) -> dict[str, Any]:
    platform_series = [
        {'name': name, 'type': 'line', 'step': 'end', 'yAxisIndex': 0, 'data': [[t, v] for t, v in points]}
        for name, points in series.items()
        if name
    ]
    inapp = {
        'name': _('In-app viewers'),
        'type': 'line',
        'yAxisIndex': 1,
        'areaStyle': {},
        'data': [[t, v] for t, v in series.get('', [])],
    }
    return {
        'tooltip': {'trigger': 'axis'},
        'legend': {'type': 'scroll'},
        'grid': {'left': 70, 'right': 70, 'bottom': 30},
        'xAxis': {'type': 'time'},
        'yAxis': [
            {'type': 'value', 'name': _('Platform cumulative views')},
            {'type': 'value', 'name': _('In-app concurrent'), 'splitLine': {'show': False}},
        ],
        'series': [*platform_series, inapp],
    }


async def figures_panel(actor: Actor, show_id: int) -> None:
    """Platform figures (entered or imported) and the app's own count, side by side and never added together."""
    with ui.expansion(_('Viewer figures'), icon='insights', value=True).classes('w-full border rounded'):

        @ui.refreshable
        async def panel() -> None:
            data = await call.read(figures.panel, show_id=show_id)
            with ui.row().classes('w-full gap-4 flex-wrap'):
                with ui.card().classes('min-w-64 scc-platform-totals').mark('scc-platform-totals'):
                    ui.label(_('Reported by the platforms')).classes('font-bold')
                    ui.label(_('Cumulative views: {n:,}', n=data.platform_views_sum)).classes('text-xl')
                    ui.label(_('Sum of concurrent peaks: {n:,}', n=data.platform_peak_sum))
                with ui.card().classes('min-w-64 scc-inapp-totals').mark('scc-inapp-totals'):
                    ui.label(_('Counted by the app')).classes('font-bold')
                    ui.label(_('Peak concurrent viewers in the app: {n:,}', n=data.inapp_peak)).classes('text-xl')
                    ui.label(_('Kept apart: never added to the platform figures.')).classes('text-xs text-gray-600')
            columns = [
                {'name': 'platform', 'label': _('Platform'), 'field': 'platform', 'align': 'left'},
                {'name': 'peak', 'label': _('Concurrent peak'), 'field': 'peak'},
                {'name': 'views', 'label': _('Cumulative views'), 'field': 'views'},
                {'name': 'at', 'label': _('Last report (venue time)'), 'field': 'at'},
            ]
            rows = [
                {
                    'platform': p.platform,
                    'peak': f'{p.concurrent_peak:,}',
                    'views': f'{p.cumulative_views:,}',
                    'at': city_time(p.recorded_at),
                }
                for p in data.platforms
            ]
            ui.table(columns=columns, rows=rows).props('dense flat').classes('w-full scc-figures').mark('scc-figures')
            options = _chart_options(await call.read(figures.series, show_id=show_id))
            ui.echart(options).classes('w-full h-72 scc-figures-chart').mark('scc-figures-chart')

        await panel()
        ui.label(_('Enter figures a platform reported')).classes('font-bold mt-2')
        with ui.row().classes('items-end gap-2 flex-wrap'):
            platform = ui.input(_('Platform name')).props('outlined dense maxlength=40').mark('scc-fig-platform')
            peak = (
                ui.input(_('Concurrent peak'))
                .props('outlined dense inputmode=numeric maxlength=20')
                .mark('scc-fig-peak')
            )
            views = (
                ui.input(_('Cumulative views'))
                .props('outlined dense inputmode=numeric maxlength=20')
                .mark('scc-fig-views')
            )
            when = ui.input(_('Time (venue time, empty: now)')).props('outlined dense maxlength=16').classes('w-56')

            async def add() -> None:
                done = await call.attempt(
                    figures.add_figure,
                    actor=actor,
                    show_id=show_id,
                    platform=platform.value or '',
                    concurrent_peak=peak.value or '',
                    cumulative_views=views.value or '',
                    recorded_local=when.value or '',
                )
                if done is not None:
                    ui.notify(_('Figures saved.'), type='positive')
                    peak.value = views.value = ''
                    panel.refresh()

            ui.button(_('Save figures'), on_click=add).props('unelevated no-caps').mark('scc-fig-save')

        async def import_csv(event: UploadEventArguments) -> None:
            data = await event.file.read()
            count = await call.attempt(figures.import_csv, actor=actor, show_id=show_id, data=data)
            if count is not None:
                ui.notify(_('{count} rows imported.', count=count), type='positive')
                panel.refresh()
            if isinstance(event.sender, ui.upload):
                event.sender.reset()

        ui.label(_('Import CSV: platform, concurrent peak, cumulative views, time (optional, venue time)')).classes(
            'text-sm'
        )
        limit = figures.MAX_CSV_BYTES // 1024
        uploader(
            ui.upload(
                label=_('Choose a CSV file'),
                on_upload=import_csv,
                auto_upload=True,
                max_file_size=figures.MAX_CSV_BYTES,  # a bigger file never leaves the browser: say so, never silence
                on_rejected=lambda: ui.notify(
                    _('The CSV file may be at most {limit} KB.', limit=limit), type='negative'
                ),
            ).props('accept=.csv,text/csv')
        ).mark('scc-fig-csv')


async def comments_panel(actor: Actor, show_id: int) -> None:
    """Recent comments with a Hide button; hidden ones vanish from every resident's page at once."""
    with ui.expansion(_('Comments'), icon='forum', value=True).classes('w-full border rounded'):
        rows: dict[int, ui.element] = {}
        box = ui.column().classes('w-full gap-1 max-h-96 overflow-y-auto')

        def add(comment: ShowCommentPublic) -> None:
            if comment.id in rows:
                return
            with (
                box,
                ui.row().classes('w-full items-center gap-2 no-wrap scc-mod-comment').mark('scc-mod-comment') as row,
            ):
                ui.label(city_time(comment.created_at, '%H:%M:%S')).classes('text-xs font-mono text-gray-600')
                ui.label(comment.author).classes('text-xs w-20 shrink-0')
                text = ui.label(comment.text).classes('grow break-all')
                if comment.hidden:
                    text.classes('line-through text-gray-500')
                else:

                    async def hide(comment_id: int = comment.id) -> None:
                        await call.attempt(comments.hide_comment, actor=actor, comment_id=comment_id)

                    hide_button = ui.button(_('Hide'), icon='visibility_off', on_click=hide)
                    hide_button.props('flat dense no-caps').classes('scc-hide').mark('scc-hide')
            rows[comment.id] = row

        for comment in await call.read(comments.recent_comments, show_id=show_id, limit=100, include_hidden=True):
            add(comment)

        def heard(change: CommentChanged) -> None:
            if change.action == 'hidden' and change.comment.id in rows:
                rows.pop(change.comment.id).delete()
            add(change.comment)

        live.on(SHOW_COMMENT, heard, key=show_id)


async def history_panel(show_id: int) -> None:
    """Every change with who and when (old and new time for postponements)."""
    with ui.expansion(_('History'), icon='history').classes('w-full border rounded'):

        @ui.refreshable
        async def table() -> None:
            entries = await call.read(common.history, show_id=show_id)

            def state(value: str) -> str:
                return _(STATE_LABELS[ShowState(value)]) if value else ''

            def moment(value: datetime | None) -> str:
                return city_time(value) if value else ''

            columns = [
                {'name': n, 'label': _(label), 'field': n, 'align': 'left'}
                for n, label in (
                    ('at', N_('When (venue time)')),
                    ('who', N_('Who')),
                    ('action', N_('What')),
                    ('from', N_('From')),
                    ('to', N_('To')),
                    ('times', N_('Time change')),
                    ('detail', N_('Detail')),
                )
            ]
            rows = [
                {
                    'at': moment(e.at),
                    'who': e.actor_label,
                    'action': _(ACTIONS[e.action]) if e.action in ACTIONS else e.action,
                    'from': state(e.from_state),
                    'to': state(e.to_state),
                    'times': f'{moment(e.old_starts_at)} → {moment(e.new_starts_at)}' if e.old_starts_at else '',
                    'detail': e.detail,
                }
                for e in entries
            ]
            ui.table(columns=columns, rows=rows).props('dense flat wrap-cells').classes('w-full scc-history').mark(
                'scc-history'
            )

        def changed(_change: ShowChanged) -> None:
            table.refresh()

        await table()
        live.on(SHOW_CHANGED, changed, key=show_id)
