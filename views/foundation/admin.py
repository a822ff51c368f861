"""Staff home and the admin pages: staff accounts and city announcements (the audit log: audit_log.py)."""

import logging

from nicegui import ui

from models.accounts import STAFF_ROLES, Role
from models.notices import NoticeCreate
from services.errors import N_
from services.foundation import auth, notices
from views.kit import background, call
from views.kit.actions import ActionButton
from views.kit.fields import text_area, text_field
from views.kit.fmt import city_time
from views.kit.frame import STAFF_LINKS, StaffLink, add_staff_link, current_actor, page
from views.kit.i18n import _

ROLE_LABELS = {
    Role.resident: N_('Resident'), Role.checkpoint: N_('Checkpoint staff'), Role.pharmacist: N_('Pharmacist'),
    Role.doctor: N_('Doctor'), Role.organizer: N_('Organizer'), Role.enterprise: N_('Enterprise contact'),
    Role.grid_officer: N_('Grid officer'), Role.admin: N_('City admin'),
}  # fmt: skip
PURGE_FAILURES_EVERY_S = 3600  # wrong-password times older than a day no longer count: deleted hourly
log = logging.getLogger(__name__)


def register() -> None:
    add_staff_link(StaffLink('/admin/accounts', N_('Accounts'), 'manage_accounts', (Role.admin,)))
    add_staff_link(StaffLink('/admin/notices', N_('Announcements'), 'campaign', (Role.admin,)))
    background.every(PURGE_FAILURES_EVERY_S, _purge_failures)

    @page('/staff', roles=STAFF_ROLES, layout='staff')
    async def staff_home() -> None:
        actor = current_actor()
        assert actor is not None
        ui.label(_('Welcome, {name}', name=actor.label)).classes('text-2xl font-bold').mark('scc-staff-home')
        ui.label(_('Role: {role}', role=_(ROLE_LABELS[actor.role]))).classes('text-gray-700')
        with ui.row().classes('gap-3 flex-wrap'):
            for link in STAFF_LINKS:
                if actor.role in link.roles or actor.role is Role.admin:
                    with ui.card().classes('w-56 cursor-pointer').on('click', lambda p=link.path: ui.navigate.to(p)):
                        ui.icon(link.icon, size='32px', color='primary')
                        ui.label(_(link.label)).classes('font-bold')

    @page('/admin/accounts', roles=(Role.admin,), layout='staff')
    async def accounts_page() -> None:
        actor = current_actor()
        assert actor is not None
        role_options = {r.value: _(ROLE_LABELS[r]) for r in STAFF_ROLES}
        ui.label(_('Staff accounts')).classes('text-2xl font-bold')

        @ui.refreshable
        async def alerts() -> None:
            found = await call.read(auth.sign_in_alerts, actor=actor)
            if not found:
                return
            with ui.card().classes('w-full bg-amber-50 border border-amber-300').mark('scc-signin-alerts'):
                ui.label(_('Repeated failed sign-ins in the last 24 hours')).classes('font-bold')
                ui.label(_('Further tries from there wait longer each time; nobody is locked out.')).classes(
                    'text-sm text-gray-700'
                )
                for alert in found:
                    ui.label(f'{city_time(alert.at)}  {alert.detail}').classes('text-sm font-mono')

        @ui.refreshable
        async def table() -> None:
            rows = await call.read(auth.list_staff, actor=actor)
            with ui.column().classes('w-full gap-1'):
                for account in rows:
                    with ui.row().classes('w-full items-center gap-3 border-b py-1 scc-account').mark('scc-account'):
                        ui.label(account.username or '').classes('w-32 font-mono')
                        ui.label(account.display_name).classes('w-56')

                        async def change(event, account_id: int = account.id) -> None:  # type: ignore[no-untyped-def]
                            if await call.attempt(auth.change_role, actor=actor, account_id=account_id,
                                                  role=event.value) is not None:  # fmt: skip
                                ui.notify(_('Role changed.'), type='positive')
                            table.refresh()

                        ui.select(role_options, value=account.role.value, on_change=change).classes('w-48').mark(
                            f'scc-role-{account.username}'
                        )
                        state = _('active') if account.active else _('disabled')
                        if account.slowed:
                            state = _('slowed: {count} wrong passwords', count=account.failed_logins)
                        ui.label(state).classes('w-44').mark(f'scc-state-{account.username}')

                        # The button says what it does, and does exactly that: a slowed account is still active.
                        async def toggle(account_id: int = account.id, active: bool = not account.active) -> None:
                            if await call.attempt(auth.set_active, actor=actor, account_id=account_id,
                                                  active=active) is not None:  # fmt: skip
                                table.refresh()

                        ui.button(_('Disable') if account.active else _('Enable'), on_click=toggle).props(
                            'flat no-caps dense'
                        ).mark(f'scc-toggle-{account.username}')
                        if account.slowed:

                            async def lift(account_id: int = account.id) -> None:
                                if await call.attempt(auth.lift_wait, actor=actor, account_id=account_id) is not None:
                                    ui.notify(_('The next sign-in of this account is checked at once.'),
                                              type='positive')  # fmt: skip
                                    table.refresh()

                            ui.button(_('Lift the wait'), on_click=lift).props('flat no-caps dense').mark(
                                f'scc-lift-{account.username}'
                            )

        await alerts()
        await table()
        ui.label(_('New staff account')).classes('text-lg font-bold mt-4')
        with ui.row().classes('items-end gap-2 flex-wrap'):
            username = text_field(_('Username'), 'scc-new-username', max_length=40, dense=True)
            display = text_field(_('Display name'), 'scc-new-display', max_length=60, dense=True)
            role = (
                ui.select(role_options, label=_('Role'), value=Role.checkpoint.value)
                .props('outlined dense')
                .classes('w-48')
                .mark('scc-new-role')
            )
            password = text_field(_('Initial password'), 'scc-new-password', max_length=200, password=True, dense=True)

            async def create() -> None:
                created = await call.attempt(auth.create_staff, actor=actor, username=username.value or '',
                                             display_name=display.value or '', role=role.value,
                                             password=password.value or '')  # fmt: skip
                if created is not None:
                    ui.notify(_('Account {username} created.', username=created.username), type='positive')
                    username.value = display.value = password.value = ''
                    table.refresh()

            ui.button(_('Create'), on_click=create).props('unelevated no-caps').mark('scc-create')

    @page('/admin/notices', roles=(Role.admin,), layout='staff')
    async def notices_page() -> None:
        actor = current_actor()
        assert actor is not None
        ui.label(_('Post an announcement')).classes('text-2xl font-bold')
        with ui.grid(columns=2).classes('w-full gap-2 max-sm:grid-cols-1'):
            title_zh = text_field(_('Title (Chinese)'), 'scc-title-zh', max_length=120)
            title_en = text_field(_('Title (English)'), 'scc-title-en', max_length=120)
            body_zh = text_area(_('Text (Chinese)'), 'scc-body-zh', max_length=2000)
            body_en = text_area(_('Text (English)'), 'scc-body-en', max_length=2000)
        urgent = ui.checkbox(_('Urgent'))

        async def post(key: str) -> object:
            # Not validated here: the service checks every field and says which one is wrong (empty, too long).
            draft = NoticeCreate.model_construct(
                title_zh=title_zh.value or '',
                title_en=title_en.value or '',
                body_zh=body_zh.value or '',
                body_en=body_en.value or '',
                urgent=bool(urgent.value),
            )
            posted = await call.attempt(notices.post_notice, actor=actor, notice=draft, key=key)
            if posted is not None:
                ui.notify(_('Announcement posted: every open Home shows it now.'), type='positive')
                title_zh.value = title_en.value = body_zh.value = body_en.value = ''
                recent.refresh()
            return posted

        ActionButton(_('Post'), post, name='scc-post').props('unelevated no-caps')

        @ui.refreshable
        async def recent() -> None:
            for notice in await call.read(notices.latest, limit=20):
                with ui.card().classes('w-full'):
                    ui.label(f'{notice.title_zh} / {notice.title_en}').classes('font-bold')
                    ui.label(f'{notice.created_at:%Y-%m-%d %H:%M} UTC').classes('text-xs text-gray-600')

        ui.label(_('Recent announcements')).classes('text-lg font-bold mt-4')
        await recent()


async def _purge_failures() -> None:
    try:
        await call.write(auth.purge_sign_in_failures)
    except Exception:
        log.exception('purging sign-in failure times failed')
