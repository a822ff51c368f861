"""Residents reserve scarce goods: the goods, the stores with live stock per slot (list and map), booking for
self and family in one action, the waitlist, lottery applications."""

import math
from typing import Any

from nicegui import ui

from models.accounts import PersonPublic, Role
from models.common import utcnow
from models.reservations import AllocationMode
from services.city import current_city
from services.errors import DomainError
from services.events import DomainEvent
from services.reservations import booking, queries, waitlist
from services.reservations import lottery as lottery_service
from services.reservations.policy import STOCK_CHANGED, ItemInfo, SlotInfo, StoreInfo
from services.settings import settings
from views.kit import call, live
from views.kit.frame import ServiceTile, add_service_tile, current_actor, page
from views.kit.i18n import _, error_text, pick
from views.reservations.widgets import add_clock, ago, countdown, item_name, set_ago, slot_time


def _distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 6371 * 2 * math.asin(math.sqrt(h))


LOCATE_JS = """
new Promise(resolve => {
  if (!navigator.geolocation) return resolve(null);
  navigator.geolocation.getCurrentPosition(p => resolve([p.coords.latitude, p.coords.longitude]),
                                           () => resolve(null), {timeout: 8000, maximumAge: 600000});
})
"""


def register() -> None:
    add_service_tile(
        ServiceTile('/reserve', 'Mask reservations', 'Reserve masks, pick them up at a pharmacy nearby', 'masks', 20)
    )

    @page('/reserve', roles=(Role.resident,))
    async def reserve_page(item: int = 0, district: str | None = None) -> None:
        actor = current_actor()
        assert actor is not None
        add_clock()
        ui.add_css(STOCK_CSS)
        # One unit of work (one worker-thread hop) for the whole page: it is opened by many at once.
        goods, current, household, stores, district = await call.read(
            queries.page_data, actor=actor, item_id=item, district=district
        )
        ui.label(_('Mask reservations')).classes('text-xl font-bold')
        if current is None:
            ui.label(_('Nothing is on offer at the moment.')).classes('text-gray-700')
            return
        ui.toggle(
            {g.id: item_name(g) for g in goods},
            value=current.id,
            on_change=lambda e: ui.navigate.to(f'/reserve?item={e.value}&district={district}'),
        ).props('no-caps spread unelevated toggle-color=primary').classes('w-full scc-items')
        _policy_line(current)
        state: dict[str, Any] = {'origin': None}
        widgets: dict[int, dict[str, Any]] = {}
        slots_by_id: dict[int, SlotInfo] = {s.id: s for st in stores for s in st.slots}

        districts = {'': _('All districts')} | {d.code: pick(d.zh, d.en) for d in current_city().districts}
        with ui.row().classes('w-full items-center gap-2 no-wrap'):
            ui.select(
                districts,
                value=district if district in districts else '',
                on_change=lambda e: ui.navigate.to(f'/reserve?item={current.id}&district={e.value}'),
            ).props('outlined dense').classes('grow scc-district')

            async def near_me() -> None:
                ui.notify(_('Your location is used only on this phone, to sort the stores by distance.'))
                origin = await ui.run_javascript(LOCATE_JS, timeout=12)
                if not origin:
                    ui.notify(_('Location is not available; choose a district instead.'), type='warning')
                    return
                state['origin'] = (float(origin[0]), float(origin[1]))
                store_list.refresh()

            ui.button(_('Near me'), icon='near_me', on_click=near_me).props('outline dense no-caps')
        links = ui.row().classes('w-full items-center justify-between')
        map_box = ui.column().classes('w-full')
        with links:
            ui.link(_('My reservations'), '/reservations/mine').classes('scc-mine-link')
            ui.button(_('Map'), icon='map', on_click=lambda: _show_map(map_box, stores)).props('flat dense no-caps')

        @ui.refreshable
        def store_list() -> None:
            widgets.clear()
            ordered = list(stores)
            if state['origin'] is not None:
                ordered.sort(key=lambda s: _distance_km(state['origin'], (s.lat, s.lon)))
            if not ordered:
                ui.label(_('No store has this item in the coming days.')).classes('text-gray-700')
            for store in ordered:
                _store_card(store, current, state['origin'], widgets, open_dialog)

        def open_dialog(store: StoreInfo, slot: SlotInfo) -> None:
            _reserve_dialog(actor, store, slots_by_id.get(slot.id, slot), current, household)

        store_list()

        def on_stock(event: DomainEvent) -> None:
            slot_id = int(event.data.get('slot_id', 0))
            info = slots_by_id.get(slot_id)
            if info is None:
                return
            info.remaining = int(event.data['remaining'])
            parts = widgets.get(slot_id)
            if parts is not None:
                if 'capacity' in event.data and int(event.data['capacity']) != info.capacity:
                    info.capacity = int(event.data['capacity'])  # supply added or a no-show released here
                    parts['stock'].props['data-suffix'] = f'/ {info.capacity}'
                _show_stock(parts, info.remaining, float(event.data.get('at', 0)))

        for store in stores:
            live.on(STOCK_CHANGED, on_stock, key=str(store.id))


def _policy_line(item: ItemInfo) -> None:
    mode = _('lottery') if item.mode == AllocationMode.lottery else _('first come, first served')
    ui.label(
        _('Quota: {quota} per person every {days} days · {mode}', quota=item.quota, days=item.quota_days, mode=mode)
    ).classes('text-sm text-gray-700')


STOCK_CSS = """
.scc-stock::after { content: ' ' attr(data-suffix); font-size: .75rem; font-weight: normal; color: #4b5563; }
"""


def _show_stock(parts: dict[str, Any], remaining: int, at: float) -> None:
    colour = 'text-red-700' if remaining == 0 else 'text-green-800'
    parts['stock'].text = str(remaining)
    parts['stock'].classes(replace=f'text-lg font-bold scc-stock scc-stock-{parts["slot_id"]} {colour}')
    set_ago(parts['ago'], at)


def _store_card(
    store: StoreInfo,
    item: ItemInfo,
    origin: tuple[float, float] | None,
    widgets: dict[int, dict[str, Any]],
    open_dialog: Any,
) -> None:
    now = utcnow()
    with ui.card().classes('w-full p-3 gap-1 scc-store').mark(f'scc-store-{store.id}'):
        with ui.row().classes('w-full items-start justify-between no-wrap'):
            ui.label(pick(store.name_zh, store.name_en)).classes('font-bold')
            if origin is not None:
                ui.label(f'{_distance_km(origin, (store.lat, store.lon)):.1f} km').classes('text-sm text-gray-700')
        ui.label(pick(store.address_zh, store.address_en)).classes('text-sm text-gray-700')
        # One "updated N s ago" per store (its latest change); few elements per slot: every element costs
        # server memory for every open page.
        latest = max((s.updated_at.timestamp() for s in store.slots), default=now.timestamp())
        store_ago = ago(latest, fmt=_('stock left per slot, updated {n} s ago'))
        if store.closed:
            ui.label(_('Closed')).classes('text-red-700 font-bold')
        # A grid of three cells per slot (time, stock, button): every element costs server memory on every open page.
        grid = ui.element('div').classes('grid w-full items-center gap-x-2 gap-y-1 border-t pt-1')
        grid.style('grid-template-columns: 1fr auto auto')
        for slot in store.slots:
            with grid:
                ui.label(slot_time(slot.starts_at, slot.ends_at)).classes('text-sm')
                parts: dict[str, Any] = {'slot_id': slot.id, 'ago': store_ago}
                parts['stock'] = ui.label(str(slot.remaining)).mark(f'scc-stock-{slot.id}')
                parts['stock'].props['data-suffix'] = f'/ {slot.capacity}'
                label = _('Apply') if slot.mode == AllocationMode.lottery else _('Reserve')
                ui.button(label, on_click=lambda s=slot: open_dialog(store, s)).props(
                    'unelevated no-caps dense'
                ).classes(f'scc-reserve-{slot.id}').mark(f'scc-reserve-{slot.id}')
                if now < slot.opens_at:
                    countdown(slot.opens_at, fmt=_('opens in {t}'), done=_('open now')).classes(
                        'text-xs col-span-3 text-gray-700'
                    )
                widgets[slot.id] = parts
                _show_stock(parts, slot.remaining, latest)
            if slot.mode == AllocationMode.lottery and slot.seed_hash:
                with grid, ui.row().classes('w-full items-center gap-2 no-wrap col-span-3'):
                    ui.label(_('Draw seed hash (SHA-256): {hash}', hash=slot.seed_hash[:16] + '…')).classes(
                        'text-xs text-gray-600 break-all'
                    )
                    ui.link(_('Draw record'), f'/api/reservations/lottery/{slot.id}.json', new_tab=True).classes(
                        'text-xs'
                    )


def _members_form(household: list[PersonPublic], quota: int) -> list[tuple[Any, Any, int]]:
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


def _members(rows: list[tuple[Any, Any, int]]) -> dict[int, int] | None:
    members: dict[int, int] = {}
    for check, quantity, person_id in rows:
        if check.value:
            try:
                members[person_id] = int(quantity.value or 0)
            except (TypeError, ValueError):
                return None
    return members


def _reserve_dialog(actor: Any, store: StoreInfo, slot: SlotInfo, item: ItemInfo, household: list[Any]) -> None:
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

            async def confirm() -> None:
                members = _members(rows)
                if members is None:
                    ui.notify(_('Please enter whole numbers.'), type='negative')
                    return
                service = lottery_service.apply if lottery else booking.reserve
                try:
                    result = await call.write(service, actor=actor, slot_id=slot.id, members=members)
                except DomainError as error:
                    refusal.text = error_text(error)
                    refusal.set_visibility(True)
                    if error.message.startswith('Sold out') and not lottery:
                        wait_button.set_visibility(True)
                    ui.notify(refusal.text, type='negative', multi_line=True, position='top')
                    return
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

            ui.button(_('Confirm'), on_click=confirm).props('unelevated no-caps').classes('scc-confirm').mark(
                'scc-confirm'
            )
    dialog.open()


def _wait_dialog(store: StoreInfo, slot: SlotInfo, item: ItemInfo) -> None:
    actor = current_actor()
    assert actor is not None
    with ui.dialog() as dialog, ui.card().classes('w-full max-w-[420px]'):
        ui.label(_('Join the waitlist')).classes('text-lg font-bold')
        ui.label(_('When stock comes back it is held for the next in line for 10 minutes.')).classes('text-sm')
        quantity = ui.number(_('Quantity'), value=1, min=1, max=item.quota, step=1, precision=0).props('outlined')

        async def join() -> None:
            position = await call.attempt(
                waitlist.join,
                actor=actor,
                store_id=store.id,
                item_id=item.id,
                day=slot.day,
                person_id=actor.person_id,
                quantity=int(quantity.value or 1),
            )
            if position is not None:
                dialog.close()
                ui.notify(_('You are number {n} on the waitlist.', n=position), type='positive')

        with ui.row().classes('w-full justify-end'):
            ui.button(_('Cancel'), on_click=dialog.close).props('flat no-caps')
            ui.button(_('Join'), on_click=join).props('unelevated no-caps').mark('scc-wait-join')
    dialog.open()


def _show_map(box: ui.column, stores: list[StoreInfo]) -> None:
    box.clear()
    center = current_city().center
    with box:
        ui.label(
            _(
                'Map tiles load from {host}; the list above works without them.',
                host=settings.map_tile_url.split('/')[2],
            )
        ).classes('text-xs text-gray-600')
        leaflet = ui.leaflet(center=center, zoom=11).classes('w-full h-72')
        leaflet.clear_layers()
        leaflet.tile_layer(
            url_template=settings.map_tile_url, options={'maxZoom': 18, 'attribution': '© OpenStreetMap'}
        )
        for store in stores:
            left = sum(s.remaining for s in store.slots)
            leaflet.marker(
                latlng=(store.lat, store.lon), options={'title': f'{pick(store.name_zh, store.name_en)}: {left}'}
            )
