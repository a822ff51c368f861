"""The clinic admin's live figures: waiting now, median and 90th-percentile wait, abandonment, doctor throughput."""

from nicegui import ui

from models.accounts import Role
from services.clinic import QUEUE_CHANGED, rules, stats
from services.errors import N_
from views.kit import call, live
from views.kit.frame import StaffLink, add_staff_link, current_actor, page
from views.kit.i18n import _

# At most one recomputation of the figures per 2 s, however busy the queue: they are eight queries over the last
# hours, and a figure a person reads does not need to move faster than that. The first change shows at once.
REFRESH_SECONDS = 2.0
EVERY_SECONDS = 60.0  # waits grow with time even when nothing happens


def _minutes(value: float | None) -> str:
    return '—' if value is None else _('{n} min', n=round(value, 1))


def register() -> None:
    add_staff_link(StaffLink('/clinic/admin', N_('Fever clinic figures'), 'monitoring', (Role.admin,)))

    @page('/clinic/admin', roles=(Role.admin,), layout='staff')
    async def clinic_admin() -> None:
        actor = current_actor()
        assert actor is not None
        ui.label(_('Fever clinic: live figures')).classes('text-2xl font-bold')
        ui.label(_('Over the last {hours} hours; waits count from joining the queue to being called.', hours=8))

        @ui.refreshable
        async def figures() -> None:
            data = await call.read(stats.clinic_stats, actor=actor)
            if data.warn:
                ui.label(_('Warning: the 90th-percentile wait ({p90}) is over {limit} minutes. Call more doctors.',
                           p90=_minutes(data.p90_wait_minutes), limit=int(rules.P90_WARN_MINUTES))).classes(
                    'w-full bg-red-700 text-white font-bold rounded p-3 scc-clinic-warning'
                ).mark('scc-clinic-warning')  # fmt: skip
            cards = [
                (_('Waiting now'), str(data.waiting), 'scc-stat-waiting'),
                (_('Doctors on duty'), str(data.doctors_on_duty), 'scc-stat-doctors'),
                (_('Median wait'), _minutes(data.median_wait_minutes), 'scc-stat-median'),
                (_('90th-percentile wait'), _minutes(data.p90_wait_minutes), 'scc-stat-p90'),
                (_('Abandonment rate'), '—' if data.abandonment_rate is None else f'{data.abandonment_rate:.0%}',
                 'scc-stat-abandon'),
            ]  # fmt: skip
            with ui.row().classes('gap-3 flex-wrap'):
                for title, value, mark in cards:
                    with ui.card().classes('w-48'):
                        ui.label(title).classes('text-sm text-gray-600')
                        ui.label(value).classes(f'text-3xl font-bold {mark}').mark(mark)
            ui.label(_('Consultations per doctor per hour')).classes('text-lg font-bold mt-2')
            if not data.doctors:
                ui.label(_('No finished consultations yet.')).classes('text-gray-600')
            columns = [{'name': 'name', 'label': _('Doctor'), 'field': 'name', 'align': 'left'},
                       {'name': 'count', 'label': _('Consultations'), 'field': 'count'},
                       {'name': 'rate', 'label': _('Per hour'), 'field': 'rate'}]  # fmt: skip
            rows = [{'name': d.name, 'count': d.consultations, 'rate': d.per_hour} for d in data.doctors]
            if rows:
                ui.table(columns=columns, rows=rows).props('dense flat').classes('scc-doctor-rates')

        await figures()
        live.on(QUEUE_CHANGED, lambda _change: figures.refresh(), at_most_every=REFRESH_SECONDS)
        live.tick(EVERY_SECONDS, figures.refresh)
