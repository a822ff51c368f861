"""The reserve page's dialogs: booking for self and family in one action (or applying for a draw), the waitlist."""

from nicegui import ui

from models.accounts import PersonPublic
from models.reservations import AllocationMode, ResItemPublic, ResSlotPublic, ResStorePublic
from services.access import Actor
from services.errors import DomainError
from services.reservations import booking, waitlist
from services.reservations import lottery as lottery_service
from views.kit import call
from views.kit.actions import ActionButton
from views.kit.frame import current_actor
from views.kit.i18n import _, error_text, pick
from views.reservations.widgets import item_name, slot_time


def _members_form(household: list[PersonPublic], quota: int) -> list[tuple[ui.checkbox, ui.number, int]]:
    """One row per household member: a checkbox (the first one ticked) and a quantity."""
    rows = []
    for i, person in enumerate(household):
        with ui.row().classes('w-full items-center no-wrap gap-2'):
            who = person.real_name + (f' ({person.relation})' if person.relation else '')
            check = ui.checkbox(who, value=i == 0).classes('grow').mark(f'scc-member-{i}')
            quantity = (
                ui.number(_('Quantity'), value=1, min=1, max=quota, step=1, precision=0)
                .props('dense outlined')
                .classes('w-24')
            )
        rows.append((check, quantity, person.id))
    return rows


def _members(rows: list[tuple[ui.checkbox, ui.number, int]]) -> dict[int, int] | None:
    """Person id → quantity of the ticked rows; None when a quantity is not a whole number."""
    members: dict[int, int] = {}
    for check, quantity, person_id in rows:
        if check.value:
            try:
                members[person_id] = int(quantity.value or 0)
            except (TypeError, ValueError):
                return None
    return members


def reserve_dialog(
    actor: Actor,
    store: ResStorePublic,
    slot: ResSlotPublic,
    item: ResItemPublic,
    household: list[PersonPublic],
) -> None:
    """Book `slot` (or apply for its draw) for the chosen members of the household; refusals say why."""
    lottery = slot.mode == AllocationMode.lottery
    with ui.dialog() as dialog, ui.card().classes('w-full max-w-[420px] scc-reserve-dialog'):
        ui.label(_('Apply for the draw') if lottery else _('Reserve')).classes('text-lg font-bold')
        ui.label(f'{item_name(item)} · {pick(store.name_zh, store.name_en)}').classes('font-bold')
        ui.label(slot_time(slot.starts_at, slot.ends_at)).classes('text-sm')
        ui.label(_('Quota: {quota} per person every {days} days', quota=item.quota, days=item.quota_days)).classes(
            'text-sm text-gray-700'
        )
        rows = _members_form(household, item.quota)
        refusal = ui.label('').classes('text-red-800 font-bold scc-reserve-refusal').mark('scc-reserve-refusal')
        refusal.set_visibility(False)

        def to_waitlist() -> None:
            dialog.close()
            _wait_dialog(store, slot, item)

        wait_button = ui.button(_('Join the waitlist'), icon='schedule', on_click=to_waitlist).props('outline no-caps')
        wait_button.classes('scc-join-wait').mark('scc-join-wait')
        wait_button.set_visibility(slot.remaining == 0 and not lottery)
        with ui.row().classes('w-full justify-end gap-2'):
            ui.button(_('Cancel'), on_click=dialog.close).props('flat no-caps')

            async def confirm(key: str) -> booking.Booked | None:
                members = _members(rows)
                if members is None:
                    ui.notify(_('Please enter whole numbers.'), type='negative')
                    return None
                service = lottery_service.apply if lottery else booking.reserve
                try:  # the same key until it succeeds: a second tap or a retry returns the first booking
                    result = await call.write(service, actor=actor, slot_id=slot.id, members=members, key=key)
                except DomainError as error:
                    refusal.text = error_text(error)
                    refusal.set_visibility(True)
                    if error.message.startswith('Sold out') and not lottery:
                        wait_button.set_visibility(True)
                    ui.notify(refusal.text, type='negative', multi_line=True, position='top')
                    return None
                dialog.close()
                if lottery:
                    ui.notify(
                        _('Applied. The draw is published with its seed; see My reservations.'),
                        type='positive',
                        position='top',
                    )
                else:
                    ui.notify(
                        _('Reserved. Pickup code: {codes}', codes=', '.join(result.codes)),
                        type='positive',
                        multi_line=True,
                        timeout=8000,
                        position='top',
                    )
                return result

            ActionButton(_('Confirm'), confirm, name='scc-confirm').props('unelevated no-caps')
    dialog.open()


def _wait_dialog(store: ResStorePublic, slot: ResSlotPublic, item: ResItemPublic) -> None:
    """Join the waitlist of the store for the slot's day."""
    actor = current_actor()
    assert actor is not None
    with ui.dialog() as dialog, ui.card().classes('w-full max-w-[420px]'):
        ui.label(_('Join the waitlist')).classes('text-lg font-bold')
        ui.label(_('When stock comes back it is held for the next in line for 10 minutes.')).classes('text-sm')
        quantity = ui.number(_('Quantity'), value=1, min=1, max=item.quota, step=1, precision=0).props('outlined')

        async def join(key: str) -> int | None:
            position = await call.attempt(
                waitlist.join,
                actor=actor,
                store_id=store.id,
                item_id=item.id,
                day=slot.day,
                person_id=actor.person_id,
                quantity=int(quantity.value or 1),
                key=key,
            )
            if position is not None:
                dialog.close()
                ui.notify(_('You are number {n} on the waitlist.', n=position), type='positive')
            return position

        with ui.row().classes('w-full justify-end'):
            ui.button(_('Cancel'), on_click=dialog.close).props('flat no-caps')
            ActionButton(_('Join'), join, name='scc-wait-join').props('unelevated no-caps')
    dialog.open()
