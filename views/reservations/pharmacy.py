"""The pharmacist's pickup counter: scan the pass (or type its 6-digit code), see a masked name, the goods and
the slot, and confirm the handover — once."""

from typing import Any

from nicegui import app, ui

from models.accounts import Role
from models.reservations import PickupPublic
from services.errors import DomainError
from services.reservations import pickup, staff
from views.kit import call
from views.kit.actions import ActionButton
from views.kit.frame import StaffLink, add_staff_link, current_actor, page
from views.kit.i18n import _, error_text, pick
from views.kit.scanner import scanner
from views.reservations.widgets import slot_time, status_text


def register() -> None:
    add_staff_link(StaffLink('/pharmacy', 'Pickup counter', 'local_pharmacy', (Role.pharmacist,)))

    @page('/pharmacy', roles=(Role.pharmacist,), layout='staff')
    async def counter() -> None:
        actor = current_actor()
        assert actor is not None
        stores = await call.read(staff.my_stores, actor=actor)  # only the stores this pharmacist works at
        ui.label(_('Pickup counter')).classes('text-2xl font-bold')
        if not stores:
            ui.label(_('You do not work at any store yet: an admin assigns pharmacists to their stores.')).mark(
                'scc-no-store'
            )
            return
        options = {s.id: pick(s.name_zh, s.name_en) for s in stores}
        remembered = app.storage.user.get('pharmacy_store')
        store_id = remembered if remembered in options else stores[0].id
        state: dict[str, Any] = {'store': store_id, 'text': ''}

        def choose(event: Any) -> None:
            state['store'] = event.value
            app.storage.user['pharmacy_store'] = event.value
            result.clear()

        ui.select(options, value=store_id, label=_('This store'), on_change=choose).props('outlined').classes(
            'w-full max-w-[480px] scc-store-select'
        ).mark('scc-store-select')
        with ui.column().classes('w-full max-w-[480px]'):
            scanner(lambda text: check(text))
        result = ui.column().classes('w-full max-w-[480px] scc-pickup-result').mark('scc-pickup-result')

        def show_refusal(error: DomainError) -> None:
            result.clear()
            with result, ui.card().classes('w-full bg-red-50 border-l-4 border-red-700'):
                ui.icon('block', color='negative', size='40px')
                ui.label(error_text(error)).classes('text-lg font-bold text-red-800 scc-pickup-refusal').mark(
                    'scc-pickup-refusal'
                )

        def show_pass(info: PickupPublic, *, done: bool) -> None:
            result.clear()
            colour = 'bg-green-50 border-green-700' if done else 'bg-white border-blue-700'
            with result, ui.card().classes(f'w-full border-l-4 {colour}'):
                ui.label(info.masked_name).classes('text-2xl font-bold scc-pickup-name').mark('scc-pickup-name')
                ui.label(
                    f'{pick(info.item_name_zh, info.item_name_en)} × {info.quantity} {pick(info.unit_zh, info.unit_en)}'
                ).classes('text-xl')
                ui.label(slot_time(info.starts_at, info.ends_at)).classes('text-sm')
                ui.label(pick(info.store_name_zh, info.store_name_en)).classes('text-sm text-gray-700')
                if done:
                    ui.label(_('Handed over: {status}', status=status_text(info.status))).classes(
                        'text-green-800 font-bold scc-pickup-done'
                    ).mark('scc-pickup-done')
                else:
                    ui.label(_('Check the ID card against the name, then hand over.')).classes('text-sm')
                    ActionButton(_('Confirm handover'), confirm, name='scc-handover', icon='check_circle').props(
                        'unelevated no-caps size=lg'
                    ).classes('w-full')

        async def check(text: str) -> None:
            state['text'] = text
            try:
                info = await call.write(pickup.check_pass, actor=actor, store_id=state['store'], text=text)
            except DomainError as error:
                show_refusal(error)
                return
            show_pass(info, done=False)

        async def confirm(key: str) -> PickupPublic | None:
            # Disabled while it runs, and one key per pass shown: a second tap gets the first handover back.
            try:
                info = await call.write(
                    pickup.hand_over, actor=actor, store_id=state['store'], text=state['text'], key=key
                )
            except DomainError as error:
                show_refusal(error)
                return None
            # The toast first, from the page itself: show_pass rebuilds the card this button (and its context) is in.
            with result.client:
                ui.notify(_('Handed over.'), type='positive')
            show_pass(info, done=True)
            return info
