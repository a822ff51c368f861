"""Admins set up the goods and their release policy, the stores, the slot plan with supply; and watch the live
district dashboard."""

from datetime import date, timedelta
from typing import Any

from nicegui import ui

from models.accounts import Role
from models.common import utcnow
from services.city import current_city
from services.reservations import admin, queries, reports
from services.reservations.events import PICKED_UP, STOCK_CHANGED, PickedUp, StockChanged
from services.reservations.policy import local_day
from views.kit import call, live
from views.kit.fmt import city_time
from views.kit.frame import StaffLink, add_staff_link, current_actor, page
from views.kit.i18n import _, pick
from views.reservations.staff import staff_section


def _parse_plan(text: str) -> list[tuple[str, str, int]] | None:
    """'09:00-12:00 120; 14:00-17:00 80' → [('09:00', '12:00', 120), ...]; None when malformed."""
    plan = []
    for part in text.replace('，', ';').replace(',', ';').split(';'):
        if not part.strip():
            continue
        try:
            span, supply = part.split()
            start, end = span.split('-')
            plan.append((start.strip(), end.strip(), int(supply)))
        except ValueError:
            return None
    return plan


def register() -> None:
    add_staff_link(StaffLink('/admin/reservations', 'Mask supply', 'inventory_2', (Role.admin,)))
    add_staff_link(StaffLink('/admin/reservations/dashboard', 'Mask dashboard', 'monitoring', (Role.admin,)))

    @page('/admin/reservations', roles=(Role.admin,), layout='staff')
    async def setup_page() -> None:
        actor = current_actor()
        assert actor is not None
        items = await call.read(queries.items, include_inactive=True)
        stores = await call.read(queries.all_stores)
        ui.label(_('Mask supply: goods, stores and slots')).classes('text-2xl font-bold')

        ui.label(_('Goods and release policy')).classes('text-lg font-bold mt-2')
        for item in items:
            mode = _('lottery') if item.mode == 'lottery' else _('first come, first served')
            ui.label(
                f'{item.code}: {pick(item.name_zh, item.name_en)} · '
                + _(
                    'Quota: {quota} per person every {days} days · {mode}',
                    quota=item.quota,
                    days=item.quota_days,
                    mode=mode,
                )
                + f' · {item.window_open_minute // 60:02d}:{item.window_open_minute % 60:02d} −'
                + f'{item.window_days_before}d'
            ).classes('text-sm')
        with ui.row().classes('items-end gap-2 flex-wrap'):
            code = ui.input(_('Code')).props('outlined dense').classes('w-28')
            name_zh = ui.input(_('Name (Chinese)')).props('outlined dense')
            name_en = ui.input(_('Name (English)')).props('outlined dense')
            quota = ui.number(_('Quota'), value=5, min=1, precision=0).props('outlined dense').classes('w-24')
            days = ui.number(_('Days'), value=10, min=1, precision=0).props('outlined dense').classes('w-24')
            mode_select = ui.select(
                {'fcfs': _('first come, first served'), 'lottery': _('lottery')}, value='fcfs'
            ).props('outlined dense')
            opens = ui.input(_('Window opens'), value='10:00').props('outlined dense').classes('w-28')
            before = ui.number(_('Days before'), value=1, min=0, precision=0).props('outlined dense').classes('w-28')

            async def save_item() -> None:
                saved = await call.attempt(
                    admin.save_item,
                    actor=actor,
                    code=code.value or '',
                    name_zh=name_zh.value or '',
                    name_en=name_en.value or '',
                    quota=int(quota.value or 0),
                    quota_days=int(days.value or 0),
                    mode=mode_select.value,
                    window_open=opens.value or '',
                    window_days_before=int(before.value or 0),
                )
                if saved is not None:
                    ui.notify(_('Saved.'), type='positive')
                    ui.navigate.reload()

            ui.button(_('Save item'), on_click=save_item).props('unelevated no-caps')

        ui.label(_('Stores')).classes('text-lg font-bold mt-4')
        for store in stores:
            with ui.row().classes('items-center gap-2'):
                ui.label(f'#{store.id} {pick(store.name_zh, store.name_en)} · {store.opens}–{store.closes}').classes(
                    'text-sm'
                )

                async def toggle(event: Any, store_id: int = store.id) -> None:
                    await call.attempt(admin.set_store_closed, actor=actor, store_id=store_id, closed=not event.value)

                ui.switch(_('Open for pickups'), value=not store.closed, on_change=toggle).props('dense')
        districts = {d.code: pick(d.zh, d.en) for d in current_city().districts}
        with ui.row().classes('items-end gap-2 flex-wrap'):
            s_zh = ui.input(_('Name (Chinese)')).props('outlined dense')
            s_en = ui.input(_('Name (English)')).props('outlined dense')
            s_district = ui.select(districts, value=next(iter(districts)), label=_('District')).props('outlined dense')
            a_zh = ui.input(_('Address (Chinese)')).props('outlined dense')
            a_en = ui.input(_('Address (English)')).props('outlined dense')
            lat = ui.number(_('Latitude'), value=36.66, format='%.5f').props('outlined dense').classes('w-28')
            lon = ui.number(_('Longitude'), value=117.02, format='%.5f').props('outlined dense').classes('w-28')
            s_open = ui.input(_('Opens'), value='08:00').props('outlined dense').classes('w-24')
            s_close = ui.input(_('Closes'), value='21:00').props('outlined dense').classes('w-24')
            s_phone = ui.input(_('Phone')).props('outlined dense').classes('w-36')

            async def save_store() -> None:
                saved = await call.attempt(
                    admin.save_store,
                    actor=actor,
                    name_zh=s_zh.value or '',
                    name_en=s_en.value or '',
                    district=s_district.value,
                    address_zh=a_zh.value or '',
                    address_en=a_en.value or '',
                    lat=float(lat.value or 0),
                    lon=float(lon.value or 0),
                    opens=s_open.value or '',
                    closes=s_close.value or '',
                    phone=s_phone.value or '',
                )
                if saved is not None:
                    ui.notify(_('Saved.'), type='positive')
                    ui.navigate.reload()

            ui.button(_('Add store'), on_click=save_store).props('unelevated no-caps')

        await staff_section(actor, stores)

        ui.label(_('Slot plan and supply')).classes('text-lg font-bold mt-4')
        if not stores or not items:
            return
        today = local_day(utcnow())
        with ui.row().classes('items-end gap-2 flex-wrap'):
            p_store = ui.select(
                {s.id: pick(s.name_zh, s.name_en) for s in stores}, value=stores[0].id, label=_('Store')
            ).props('outlined dense')
            p_item = ui.select(
                {i.id: pick(i.name_zh, i.name_en) for i in items}, value=items[0].id, label=_('Item')
            ).props('outlined dense')
            p_day = ui.select(
                {(today + timedelta(days=n)).isoformat(): (today + timedelta(days=n)).isoformat() for n in range(7)},
                value=(today + timedelta(days=1)).isoformat(),
                label=_('Day'),
            ).props('outlined dense')
            plan = (
                ui.input(_('Slots: start-end supply; …'), value='09:00-12:00 120; 14:00-17:00 120')
                .props('outlined dense')
                .classes('w-80')
            )

            async def add_slots() -> None:
                parsed = _parse_plan(plan.value or '')
                if not parsed:
                    ui.notify(_('Write the slots like 09:00-12:00 120; 14:00-17:00 80'), type='negative')
                    return
                ids = await call.attempt(
                    admin.plan_slots,
                    actor=actor,
                    store_id=p_store.value,
                    item_id=p_item.value,
                    day=date.fromisoformat(p_day.value),
                    slots=parsed,
                )
                if ids is not None:
                    ui.notify(_('{n} slots added.', n=len(ids)), type='positive')
                    supply.refresh()

            ui.button(_('Add slots'), on_click=add_slots).props('unelevated no-caps')

        @ui.refreshable
        async def supply() -> None:
            """The coming slots of the chosen store and item, each with its supply to raise or lower."""
            found = await call.read(queries.stores, item_id=p_item.value, store_id=p_store.value)
            slots = [slot for store in found for slot in store.slots]
            if not slots:
                ui.label(_('No coming slots for this store and item.')).classes('text-gray-600')
            for slot in slots:
                with ui.row().classes('items-center gap-2 scc-supply-row').mark('scc-supply-row'):
                    ui.label(f'{city_time(slot.starts_at, "%m-%d %H:%M")}–{city_time(slot.ends_at, "%H:%M")}')
                    ui.label(_('{remaining} of {capacity} left', remaining=slot.remaining, capacity=slot.capacity))
                    delta = ui.number(_('Change by'), value=10, precision=0).props('outlined dense').classes('w-28')

                    async def change(slot_id: int = slot.id, field: Any = delta) -> None:
                        left = await call.attempt(
                            admin.change_supply, actor=actor, slot_id=slot_id, delta=int(field.value or 0)
                        )
                        if left is not None:
                            ui.notify(_('Supply changed: {n} left.', n=left), type='positive')
                            supply.refresh()

                    ui.button(_('Change supply'), on_click=change).props('outline dense no-caps')

        p_store.on_value_change(supply.refresh)
        p_item.on_value_change(supply.refresh)
        await supply()

    @page('/admin/reservations/dashboard', roles=(Role.admin,), layout='staff')
    async def dashboard_page(item: int = 0) -> None:
        items = await call.read(queries.items)
        ui.label(_('Mask dashboard (live, today)')).classes('text-2xl font-bold')
        options = {0: _('All goods')} | {i.id: pick(i.name_zh, i.name_en) for i in items}
        ui.select(
            options,
            value=item if item in options else 0,
            on_change=lambda e: ui.navigate.to(f'/admin/reservations/dashboard?item={e.value}'),
        ).props('outlined dense')
        columns = [
            {'name': n, 'label': _(label), 'field': n, 'align': 'left'}
            for n, label in (
                ('district', 'District'),
                ('supply', 'Supply'),
                ('reserved', 'Reserved'),
                ('picked_up', 'Picked up'),
                ('no_shows', 'No-shows'),
                ('waitlist', 'Waitlist'),
                ('sold_out', 'Sold-out slots'),
                ('sell_out', 'Minutes to sell out (median)'),
            )
        ]
        table = ui.table(columns=columns, rows=[]).classes('w-full scc-dashboard').mark('scc-dashboard')
        table.props('dense flat')

        async def reload(_change: StockChanged | PickedUp | None = None) -> None:
            """The table again, from the database (it sums every slot of the day)."""
            rows = await call.read(reports.dashboard, item_id=item or None)
            table.rows = [
                {
                    **r,
                    'district': pick(r['district_zh'], r['district_en']),
                    'sold_out': f'{r["sold_out"]} / {r["slots"]}',
                    'sell_out': '—' if r['median_sell_out_minutes'] is None else r['median_sell_out_minutes'],
                }
                for r in rows
            ]
            table.update()

        await reload()
        # In a rush stock changes hundreds of times a second, and each refresh sums the whole day: the first change
        # (a booking or a handover at a counter) refreshes at once, later ones at most once a second between them
        # (the last one wins: the table is read anew anyway).
        live.on((STOCK_CHANGED, PICKED_UP), reload, at_most_every=1.0)
