"""The M2 admin page's section on pharmacists: which stores each one works at (they hand over only there)."""

from nicegui import ui

from models.reservations import ResStorePublic
from services.access import Actor
from services.reservations import staff
from views.kit import call
from views.kit.actions import ActionButton
from views.kit.i18n import _, pick


async def staff_section(actor: Actor, stores: list[ResStorePublic]) -> None:
    """Pharmacists and their stores: add a store to one, or take one away."""
    ui.label(_('Pharmacists and their stores')).classes('text-lg font-bold mt-4')
    names = {s.id: pick(s.name_zh, s.name_en) for s in stores}

    @ui.refreshable
    async def listing() -> None:
        people = await call.read(staff.pharmacists, actor=actor)
        if not people:
            ui.label(_('No pharmacist accounts yet.')).classes('text-gray-600')
            return
        for person in people:
            with ui.row().classes('items-center gap-2 flex-wrap').mark(f'scc-staff-{person.account_id}'):
                ui.label(person.label).classes('font-bold')
                if not person.store_ids:
                    ui.label(_('works at no store')).classes('text-sm text-gray-600')
                for store_id in person.store_ids:
                    with ui.row().classes('items-center gap-0 border rounded px-2'):
                        ui.label(names.get(store_id, f'#{store_id}')).classes('text-sm')

                        async def remove(_key: str, account_id: int = person.account_id, store: int = store_id) -> bool:
                            left = await call.attempt(staff.unassign, actor=actor, account_id=account_id,
                                                      store_id=store)  # fmt: skip
                            if left is not None:
                                listing.refresh()
                            return left is not None

                        ActionButton('', remove, name=f'scc-staff-remove-{person.account_id}-{store_id}', icon='close',
                                     confirm=_('Take this pharmacist off this store?'),
                                     confirm_label=_('Take off')).props(
                            f'flat dense round size=sm aria-label="{_("Take off")}"')  # fmt: skip
        with ui.row().classes('items-end gap-2 flex-wrap'):
            who = ui.select({p.account_id: p.label for p in people}, value=people[0].account_id, label=_('Pharmacist'))
            who.props('outlined dense').mark('scc-staff-account')
            where = ui.select(names, value=next(iter(names), None), label=_('Store')).props('outlined dense')
            where.mark('scc-staff-store')

            async def add(_key: str) -> bool:  # adding twice adds once (the primary key): no key needed
                done = await call.attempt(staff.assign, actor=actor, account_id=who.value, store_id=where.value)
                if done is not None:
                    ui.notify(_('Saved.'), type='positive')
                    listing.refresh()
                return done is not None

            ActionButton(_('Add to store'), add, name='scc-staff-add').props('unelevated no-caps')

    await listing()
