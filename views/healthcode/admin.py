"""City admins: close contacts and hand-set colours (with a reason; >10 people need a second admin), approvals,
contact tracing, checkpoint modes, signing keys, and the rules file."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from nicegui import ui
from nicegui.events import ValueChangeEventArguments

from models.accounts import Role
from models.healthcode import ColourChangePublic
from services.city import current_city
from services.errors import N_, DomainError
from services.healthcode import admin, checkpoints, keys
from services.healthcode.admin import PersonRow
from services.healthcode.rules import rulebook
from views.healthcode.widgets import COLOUR_STYLE
from views.kit import call
from views.kit.actions import ActionButton
from views.kit.fmt import city_time
from views.kit.frame import current_actor, page
from views.kit.i18n import _, error_text, pick

KIND_LABEL = {'close_contact': N_('Close contacts'), 'set_colour': N_('Set colour')}
STATUS_LABEL = {'pending': N_('Waiting for a second admin'), 'applied': N_('Applied'), 'rejected': N_('Rejected')}


def parse_local(value: str | None) -> datetime | None:
    """A datetime-local input (the city's time) as an aware datetime."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=ZoneInfo(current_city().timezone))
    except ValueError:
        raise DomainError(N_('Please check the times: contact lies in the past, the end in the future.')) from None


def people_table(rows: list[PersonRow]) -> None:
    """Masked people, with the contact time and place when traced."""
    columns = [{'name': 'name', 'label': _('Name'), 'field': 'name'},
               {'name': 'id', 'label': _('ID number'), 'field': 'id'},
               {'name': 'at', 'label': _('Contact'), 'field': 'at'}]  # fmt: skip
    data = [{'name': r.masked_name, 'id': r.masked_id_number,
             'at': f'{city_time(r.contact_at)} {pick(r.checkpoint_zh, r.checkpoint_en)}' if r.contact_at else ''}
            for r in rows]  # fmt: skip
    ui.table(columns=columns, rows=data).classes('w-full').props('dense flat').mark('scc-people-table')


def register() -> None:
    @page('/admin/healthcode', roles=(Role.admin,), layout='staff')
    async def admin_page() -> None:
        actor = current_actor()
        assert actor is not None
        ui.label(_('Health codes')).classes('text-2xl font-bold')
        with ui.tabs().classes('w-full') as tabs:
            t_change = ui.tab(_('Change colours'))
            t_trace = ui.tab(_('Contact tracing'))
            t_approve = ui.tab(_('Approvals')).mark('scc-tab-approvals')
            t_places = ui.tab(_('Checkpoints'))
            t_keys = ui.tab(_('Keys'))
        with ui.tab_panels(tabs, value=t_change).classes('w-full'):
            with ui.tab_panel(t_change).classes('gap-2'):
                await change_panel()
            with ui.tab_panel(t_trace).classes('gap-2'):
                await trace_panel()
            with ui.tab_panel(t_approve):
                await approvals()
            with ui.tab_panel(t_places):
                await places()
            with ui.tab_panel(t_keys):
                await key_panel()
        ui.link(_('Rules (version {version})', version=rulebook().version), '/code/rules').classes('text-sm')

    async def change_panel() -> None:
        actor = current_actor()
        found: list[PersonRow] = []
        ui.label(_('Mark close contacts or set a colour by hand. Every change needs a reason the resident will '
                   'read; more than 10 people need a second admin.')).classes('text-sm')  # fmt: skip
        numbers = ui.textarea(_('ID numbers (one per line)')).classes('w-full scc-admin-ids').mark('scc-admin-ids')
        kind = ui.radio({k: _(v) for k, v in KIND_LABEL.items()}, value='close_contact').props('inline')
        kind.mark('scc-admin-kind')
        colour = ui.select({c: _(COLOUR_STYLE[c][3]) for c in COLOUR_STYLE}, value='red', label=_('Colour'))
        colour.bind_visibility_from(kind, 'value', value='set_colour')
        contact_at = ui.input(_('Last contact (city time)')).props('type=datetime-local').mark('scc-admin-at')
        contact_at.bind_visibility_from(kind, 'value', value='close_contact')
        until = ui.input(_('Ends (optional, city time)')).props('type=datetime-local')
        until.bind_visibility_from(kind, 'value', value='set_colour')
        reason = ui.input(_('Reason')).classes('w-full scc-admin-reason').mark('scc-admin-reason')
        preview = ui.column().classes('w-full')

        async def find() -> bool:
            preview.clear()
            rows = await call.attempt(admin.find_people, actor=actor, id_numbers=numbers.value or '')
            found[:] = rows or []
            with preview:
                if rows:
                    ui.label(_('{count} people', count=len(rows))).classes('font-bold')
                    people_table(rows)
            return bool(rows)

        async def submit(key: str) -> ColourChangePublic | None:
            if not await find():
                return None
            try:
                at, end = parse_local(contact_at.value), parse_local(until.value)
            except DomainError as error:
                ui.notify(error_text(error), type='negative')
                return None
            chosen = colour.value if kind.value == 'set_colour' else ''
            change = await call.attempt(admin.request_change, actor=actor, kind=kind.value,
                                        person_ids=[r.person_id for r in found], reason=reason.value or '',
                                        colour=chosen, at=at, until=end, key=key)  # fmt: skip
            if change is not None:
                ui.notify(_(STATUS_LABEL[change.status]) + f' · {change.count}', type='positive', position='center')
                numbers.value = ''
                reason.value = ''
                approvals.refresh()
            return change

        with ui.row():
            ui.button(_('Check the list'), on_click=find).props('outline no-caps').mark('scc-admin-check')
            ActionButton(_('Apply'), submit, name='scc-admin-apply').props('unelevated no-caps')

    async def trace_panel() -> None:
        actor = current_actor()
        rows: list[PersonRow] = []
        ui.label(_('Everyone who passed the same checkpoints within 2 hours of a confirmed case (last 14 days).'))
        number = ui.input(_('ID number of the confirmed case')).classes('w-full').mark('scc-trace-id')
        result = ui.column().classes('w-full')
        reason = ui.input(_('Reason')).classes('w-full')

        async def trace() -> None:
            result.clear()
            found = await call.attempt(admin.trace_contacts, actor=actor, id_number=number.value or '')
            rows[:] = found or []
            with result:
                if found is not None:
                    ui.label(_('{count} people', count=len(found))).classes('font-bold')
                    people_table(found)

        async def mark(key: str) -> ColourChangePublic | None:
            if not rows:
                ui.notify(_('Please choose at least one person.'), type='warning')
                return None
            times = {r.person_id: r.contact_at for r in rows if r.contact_at}
            change = await call.attempt(admin.request_change, actor=actor, kind='close_contact',
                                        person_ids=[r.person_id for r in rows], reason=reason.value or '',
                                        contact_times=times, key=key)  # fmt: skip
            if change is not None:
                ui.notify(_(STATUS_LABEL[change.status]) + f' · {change.count}', type='positive', position='center')
                approvals.refresh()
            return change

        with ui.row():
            ui.button(_('Trace'), on_click=trace).props('outline no-caps').mark('scc-trace')
            ActionButton(_('Mark all as close contacts'), mark, name='scc-trace-mark').props(
                'unelevated no-caps color=negative'
            )

    @ui.refreshable
    async def approvals() -> None:
        actor = current_actor()
        assert actor is not None
        items = await call.read(admin.changes, actor=actor)
        if not items:
            ui.label(_('No changes yet.'))
        for item in items:
            with ui.card().classes('w-full gap-1').mark(f'scc-change-{item.status}'):
                ui.label(f'#{item.id} · {_(KIND_LABEL[item.kind])} · {item.count} · {_(STATUS_LABEL[item.status])}'
                         ).classes('font-bold')  # fmt: skip
                ui.label(f'{item.requested_by} · {city_time(item.requested_at)} · {item.reason}').classes('text-sm')
                if item.status == 'pending' and item.requested_by_account_id != actor.account_id:

                    async def approve(key: str, change_id: int = item.id) -> ColourChangePublic | None:
                        decided = await call.attempt(admin.approve_change, actor=actor, change_id=change_id, key=key)
                        if decided is not None:
                            ui.notify(_('Applied'), type='positive')
                        approvals.refresh()  # decided, or decided by someone else meanwhile
                        return decided

                    async def reject(key: str, change_id: int = item.id) -> ColourChangePublic | None:
                        decided = await call.attempt(admin.reject_change, actor=actor, change_id=change_id, key=key)
                        approvals.refresh()
                        return decided

                    with ui.row():
                        ActionButton(_('Approve'), approve, name='scc-approve').props('unelevated no-caps')
                        ActionButton(_('Reject'), reject, name='scc-reject').props('flat no-caps')

    async def places() -> None:
        actor = current_actor()
        for item in await call.read(checkpoints.list_checkpoints):

            async def switch(event: ValueChangeEventArguments[Any], checkpoint_id: int = item.id) -> None:
                await call.attempt(checkpoints.set_mode, actor=actor, checkpoint_id=checkpoint_id, mode=event.value)

            with ui.row().classes('w-full items-center gap-3'):
                ui.label(pick(item.name_zh, item.name_en)).classes('grow')
                ui.toggle({'scan_temperature': _('Scan + temperature'), 'show_code': _('Show code')}, value=item.mode,
                          on_change=switch).props('no-caps')  # fmt: skip
                ui.link(_('Poster QR'), f'/checkpoint/{item.id}/poster')

    @ui.refreshable
    async def key_panel() -> None:
        actor = current_actor()
        data = await call.read(keys.key_set)
        ui.link('/.well-known/scc-keys.json', '/.well-known/scc-keys.json', new_tab=True).classes('font-mono')
        for key in data['keys']:
            with ui.row().classes('items-center gap-3'):
                ui.label(f'{key["kid"]} · {key["status"]} · {key["created_at"][:16]}').classes('font-mono')
                if key['status'] != 'revoked':

                    async def revoke(kid: str = key['kid']) -> None:
                        await call.attempt(keys.revoke_key, actor=actor, kid=kid)
                        key_panel.refresh()

                    ui.button(_('Revoke'), on_click=revoke).props('flat dense no-caps color=negative')

        async def rotate() -> None:
            await call.attempt(keys.rotate_key, actor=actor)
            key_panel.refresh()

        ui.button(_('Rotate: sign with a new key'), on_click=rotate).props('outline no-caps')
