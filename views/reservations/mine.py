"""My reservations: pickup passes (QR + 6-digit code) with a countdown, cancelling, waitlist offers; and the
next pickup on the resident Home."""

from collections.abc import Coroutine
from typing import Any

from nicegui import context, ui
from nicegui.functions.refreshable import refreshable

from models.accounts import Role
from models.common import utcnow
from models.reservations import ReservationPublic, ResWaitPublic
from services.access import Actor
from services.reservations import cancel as cancelling
from services.reservations import queries, waitlist
from services.reservations.events import RESERVATION_CHANGED, WAIT_OFFERED, ReservationChanged, WaitOffered
from views.kit import call, live
from views.kit.actions import ActionButton
from views.kit.browser import countdown
from views.kit.fmt import city_time
from views.kit.frame import add_home_section, current_actor, page
from views.kit.i18n import _, pick
from views.kit.qr import qr_code
from views.reservations.widgets import slot_time, status_text


async def next_pickup_section(actor: Actor) -> None:
    """Home: the resident's next pickup, or a link to reserve."""
    nxt = await call.read(queries.next_pickup, actor=actor)
    with ui.card().classes('w-full scc-next-pickup').mark('scc-next-pickup'):
        with ui.row().classes('items-center gap-2 no-wrap'):
            ui.icon('masks', color='primary')
            ui.label(_('Next pickup')).classes('font-bold')
        if nxt is None:
            ui.label(_('No pickup booked.')).classes('text-sm text-gray-700')
            ui.link(_('Reserve masks'), '/reserve')
            return
        ui.label(f'{pick(nxt.item_name_zh, nxt.item_name_en)} × {nxt.quantity} · {nxt.masked_name}').classes('text-sm')
        ui.label(pick(nxt.store_name_zh, nxt.store_name_en)).classes('text-sm')
        ui.label(slot_time(nxt.starts_at, nxt.ends_at)).classes('text-sm')
        with ui.row().classes('items-center gap-2'):
            ui.label(_('Code {code}', code=nxt.code)).classes('font-mono font-bold')
            countdown(nxt.starts_at, fmt=_('starts in {t}'), done=_('pick up now')).classes('text-sm text-green-800')
        ui.link(_('Show pass'), '/reservations/mine')


Refresh = refreshable[[], Coroutine[Any, Any, None]]  # the page's list of passes and waitlist entries


def _pass_card(info: ReservationPublic, actor: Actor, refresh: Refresh) -> None:
    """One reservation: goods, person, store, slot; for a booked one the QR pass, code, countdown, cancel."""
    now = utcnow()
    booked = info.status == 'booked'
    with ui.card().classes('w-full gap-1 scc-reservation').mark(f'scc-reservation-{info.id}'):
        with ui.row().classes('w-full items-center justify-between no-wrap'):
            ui.label(f'{pick(info.item_name_zh, info.item_name_en)} × {info.quantity}').classes('font-bold')
            ui.label(status_text(info.status)).classes('text-sm ' + ('text-green-800' if booked else 'text-gray-700'))
        ui.label(f'{info.masked_name}' + (f' · {info.relation}' if info.relation else '')).classes('text-sm')
        ui.label(pick(info.store_name_zh, info.store_name_en)).classes('text-sm font-bold')
        ui.label(pick(info.address_zh, info.address_en)).classes('text-sm text-gray-700')
        ui.label(slot_time(info.starts_at, info.ends_at)).classes('text-sm')
        if info.status == 'picked_up' and info.closed_at:
            ui.label(_('Picked up at {time}', time=city_time(info.closed_at, '%m-%d %H:%M'))).classes('text-sm')
        if not booked:
            if info.status == 'applied':
                cancel_button(info, actor, refresh)
            return
        with ui.column().classes('w-full items-center gap-1'):
            qr_code(info.token, label=_('Pickup code'), classes='w-[220px] bg-white').mark(f'scc-pass-qr-{info.id}')
            ui.label(info.code).classes('text-3xl font-mono font-bold tracking-widest scc-pass-code').mark(
                'scc-pass-code'
            )
            if now < info.starts_at:
                countdown(info.starts_at, fmt=_('starts in {t}'), done=_('pick up now')).classes('text-green-800')
            else:
                countdown(info.ends_at, fmt=_('pick up within {t}'), done=_('slot over')).classes('text-amber-800')
        if now < info.starts_at:
            cancel_button(info, actor, refresh)


def cancel_button(info: ReservationPublic, actor: Actor, refresh: Refresh) -> None:
    """Cancel a booking or an application; the list refreshes."""

    async def cancel(key: str) -> int | None:
        # The cancellation's own live event rebuilds this card (and its button) while the call runs: the toast goes
        # to the page itself, which is still there.
        client = context.client
        left = await call.attempt(cancelling.cancel, actor=actor, reservation_id=info.id, key=key)
        if left is not None:
            with client:
                ui.notify(_('Cancelled: the stock is back on sale.'), type='positive')
                refresh.refresh()
        return left

    ActionButton(
        _('Cancel reservation'),
        cancel,
        name=f'scc-cancel-{info.id}',
        confirm=_('Cancel this reservation? Its stock goes back on sale and someone else may take it.'),
    ).props('flat no-caps color=negative')


def _wait_card(entry: ResWaitPublic, actor: Actor, refresh: Refresh) -> None:
    """A waitlist entry: its place in line, or the offer held with its countdown and "Take it"."""
    with ui.card().classes('w-full gap-1 scc-wait').mark(f'scc-wait-{entry.id}'):
        ui.label(_('Waitlist')).classes('font-bold')
        ui.label(f'{pick(entry.item_name_zh, entry.item_name_en)} × {entry.quantity} · {entry.masked_name}').classes(
            'text-sm'
        )
        ui.label(f'{pick(entry.store_name_zh, entry.store_name_en)} · {entry.day.isoformat()}').classes('text-sm')

        async def accept(key: str) -> int | None:
            client = context.client  # this card may be rebuilt by a live event meanwhile; the page is not
            reservation_id = await call.attempt(waitlist.accept, actor=actor, wait_id=entry.id, key=key)
            if reservation_id is not None:
                with client:
                    ui.notify(_('Reserved: your pass is below.'), type='positive')
                    refresh.refresh()
            return reservation_id

        async def leave(_key: str) -> bool:  # leaving twice is leaving once: no key needed
            client = context.client
            await call.attempt(waitlist.leave, actor=actor, wait_id=entry.id)
            with client:
                refresh.refresh()
            return True

        with ui.row().classes('items-center gap-2'):
            if entry.status == 'offered' and entry.offer_expires_at is not None:
                ui.label(_('Stock is held for you!')).classes('text-green-800 font-bold')
                countdown(entry.offer_expires_at, fmt=_('take it within {t}'), done=_('offer expired'))
                ActionButton(_('Take it'), accept, name=f'scc-accept-{entry.id}').props('unelevated no-caps')
            else:
                ui.label(_('Number {n} in line', n=entry.position)).classes('text-sm')
            ActionButton(
                _('Leave'), leave, name=f'scc-leave-{entry.id}', confirm=_('Leave the waitlist? You lose your place.')
            ).props('flat no-caps')


def register() -> None:
    add_home_section(30, next_pickup_section)

    @page('/reservations/mine', roles=(Role.resident,))
    async def my_reservations() -> None:
        actor = current_actor()
        assert actor is not None
        with ui.row().classes('w-full items-center justify-between'):
            ui.label(_('My reservations')).classes('text-xl font-bold')
            ui.link(_('Reserve'), '/reserve')

        @ui.refreshable
        async def content() -> None:
            waits = await call.read(waitlist.mine, actor=actor)
            items = await call.read(queries.my_reservations, actor=actor)
            for entry in waits:
                _wait_card(entry, actor, content)
            if not items and not waits:
                ui.label(_('No reservations yet.')).classes('text-gray-700')
            for info in items:
                _pass_card(info, actor, content)

        await content()

        def changed(_change: ReservationChanged) -> None:
            content.refresh()

        def offered(_offer: WaitOffered) -> None:
            ui.notify(_('Stock came back and is held for you for 10 minutes.'), type='positive', position='top')
            content.refresh()

        live.on(RESERVATION_CHANGED, changed, key=actor.account_id)
        live.on(WAIT_OFFERED, offered, key=actor.account_id)
