"""Residents reserve scarce goods: the goods, the stores with live stock per slot (list and map), booking for
self and family in one action, the waitlist, lottery applications."""

import math
from collections.abc import Callable
from datetime import datetime
from typing import Any, cast
from urllib.parse import quote

from nicegui import ui

from models.accounts import Role
from models.common import utcnow
from models.reservations import AllocationMode, ResItemPublic, ResSlotPublic, ResStorePublic
from services.city import current_city
from services.reservations import queries
from services.reservations.events import STOCK_CHANGED, StockChanged
from services.settings import settings
from views.kit import call, live
from views.kit.browser import countdown
from views.kit.fmt import city_time
from views.kit.frame import ServiceTile, add_service_tile, current_actor, page
from views.kit.i18n import _, pick
from views.reservations.dialogs import reserve_dialog
from views.reservations.widgets import item_name, slot_time


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
        # One unit of work (one worker-thread hop) for the whole page: it is opened by many at once.
        goods, current, household, stores, district = await call.read(
            queries.page_data, actor=actor, item_id=item, district=district
        )
        ui.label(_('Mask reservations')).classes('text-xl font-bold')
        if current is None:
            ui.label(_('Nothing is on offer at the moment.')).classes('text-gray-700')
            return
        # Tabs that scroll sideways on a narrow phone: every name on one line, none squeezed ("儿童/KN95 口/罩").
        tabs = ui.tabs(
            value=cast(Any, str(current.id)),  # a tab's name selects it as well as the tab (typed: the tab only)
            on_change=lambda e: ui.navigate.to(f'/reserve?item={e.value}&district={district}'),
        )
        tabs.props('no-caps dense mobile-arrows outside-arrows active-color=primary indicator-color=primary')
        tabs.classes('w-full max-w-full scc-items')
        with tabs:
            for g in goods:
                ui.tab(str(g.id), label=item_name(g)).classes('scc-item-tab').mark(f'scc-item-{g.id}')
        _policy_line(current)
        state: dict[str, Any] = {'origin': None}
        stocks: dict[int, SlotStock] = {}  # slot id → its live stock on this page
        slots_by_id: dict[int, ResSlotPublic] = {s.id: s for st in stores for s in st.slots}

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
        latest = max((s.updated_at for st in stores for s in st.slots), default=utcnow())
        status = LiveStatus(latest)
        links = ui.row().classes('w-full items-center justify-between')
        map_box = ui.column().classes('w-full')
        with links:
            ui.link(_('My reservations'), '/reservations/mine').classes('scc-mine-link')
            ui.button(_('Map'), icon='map', on_click=lambda: _show_map(map_box, stores)).props('flat dense no-caps')

        @ui.refreshable
        def store_list() -> None:
            stocks.clear()
            ordered = list(stores)
            if state['origin'] is not None:
                ordered.sort(key=lambda s: _distance_km(state['origin'], (s.lat, s.lon)))
            if not ordered:
                ui.label(_('No store has this item in the coming days.')).classes('text-gray-700')
            for store in ordered:
                _store_card(store, current, state['origin'], stocks, open_dialog)

        def open_dialog(store: ResStorePublic, slot: ResSlotPublic) -> None:
            reserve_dialog(actor, store, slots_by_id.get(slot.id, slot), current, household)

        store_list()

        def on_stock(change: StockChanged) -> None:
            # Every change at once: NiceGUI's outbox already sends many changes of one label as one message.
            info = slots_by_id.get(change.slot_id)
            if info is None:
                return
            info.remaining = change.remaining
            stock = stocks.get(change.slot_id)
            if stock is not None:
                stock.show(change.remaining, change.capacity, change.at)
            status.heard(change.at)

        for store in stores:
            live.on(STOCK_CHANGED, on_stock, key=store.id)


def _policy_line(item: ResItemPublic) -> None:
    mode = _('lottery') if item.mode == AllocationMode.lottery else _('first come, first served')
    ui.label(
        _('Quota: {quota} per person every {days} days · {mode}', quota=item.quota, days=item.quota_days, mode=mode)
    ).classes('text-sm text-gray-700')


class LiveStatus:
    """When the page last heard from the server: "Live · last change 10:58:12" while the connection is up (every
    stock change of these stores is pushed at once, so no news is news), a warning while it is down."""

    def __init__(self, latest: datetime) -> None:
        with ui.row().classes('w-full items-center gap-1 no-wrap scc-live-on').mark('scc-live-status'):
            ui.icon('circle', color='positive', size='10px')
            self.label = ui.label().classes('text-xs text-gray-700 scc-live-text').mark('scc-live-text')
        ui.label(_('Connection lost: reconnecting… The stock shown may be out of date.')).classes(
            'text-xs text-red-700 font-bold scc-live-off'
        ).mark('scc-live-lost')
        self.latest = latest
        self.heard(latest)

    def heard(self, at: datetime) -> None:
        """A change reached the page (or the page was built): show its time."""
        self.latest = max(self.latest, at)
        self.label.text = _('Live · last change {time}', time=city_time(self.latest, '%H:%M:%S'))


class SlotStock(ui.label):
    """The live stock of one slot: its number (red at 0), '/ capacity' after it, and the store's "last change"."""

    def __init__(self, slot: ResSlotPublic, store_changed: ui.label, at: datetime) -> None:
        super().__init__(str(slot.remaining))
        self.slot = slot
        self.store_changed = store_changed
        self.mark(f'scc-stock-{slot.id}')
        self.props['data-suffix'] = f'/ {slot.capacity}'
        self.show(slot.remaining, slot.capacity, at)

    def show(self, remaining: int, capacity: int, at: datetime) -> None:
        """Show the stock as of `at`; a new capacity (supply added, a no-show released here) too."""
        self.slot.remaining = remaining
        if capacity != self.slot.capacity:
            self.slot.capacity = capacity
            self.props['data-suffix'] = f'/ {capacity}'
        colour = 'text-red-700' if remaining == 0 else 'text-green-800'
        self.text = str(remaining)
        self.classes(replace=f'text-lg font-bold scc-stock scc-stock-{self.slot.id} {colour}')
        store_changed(self.store_changed, at)


def store_changed(label: ui.label, at: datetime) -> None:
    """The store's line "stock left per slot · last change 10:58" moves to `at` (never back)."""
    shown = label.props.get('data-at')
    if shown is not None and float(shown) >= at.timestamp():
        return
    label.props['data-at'] = f'{at.timestamp():.3f}'
    label.text = _('Stock left per slot · last change {time}', time=city_time(at, '%H:%M:%S'))


def _store_card(
    store: ResStorePublic,
    item: ResItemPublic,
    origin: tuple[float, float] | None,
    stocks: dict[int, SlotStock],
    open_dialog: Callable[[ResStorePublic, ResSlotPublic], None],
) -> None:
    now = utcnow()
    with ui.card().classes('w-full p-3 gap-1 scc-store').mark(f'scc-store-{store.id}'):
        with ui.row().classes('w-full items-start justify-between no-wrap'):
            ui.label(pick(store.name_zh, store.name_en)).classes('font-bold')
            if origin is not None:
                ui.label(f'{_distance_km(origin, (store.lat, store.lon)):.1f} km').classes('text-sm text-gray-700')
        ui.label(pick(store.address_zh, store.address_en)).classes('text-sm text-gray-700')
        _store_contact(store)
        # One "last change" per store; few elements per slot: every element costs server memory on every open page.
        latest = max((s.updated_at for s in store.slots), default=now)
        changed = ui.label().classes('text-xs text-gray-600').mark(f'scc-store-changed-{store.id}')
        store_changed(changed, latest)
        if store.closed:
            ui.label(_('Closed')).classes('text-red-700 font-bold')
        # A grid of three cells per slot (time, stock, button): every element costs server memory on every open page.
        grid = ui.element('div').classes('grid w-full items-center gap-x-2 gap-y-1 border-t pt-1')
        grid.style('grid-template-columns: 1fr auto auto')
        for slot in store.slots:
            with grid:
                ui.label(slot_time(slot.starts_at, slot.ends_at)).classes('text-sm')
                stocks[slot.id] = SlotStock(slot, changed, latest)
                label = _('Apply') if slot.mode == AllocationMode.lottery else _('Reserve')
                ui.button(label, on_click=lambda s=slot: open_dialog(store, s)).props(
                    'unelevated no-caps dense'
                ).classes(f'scc-reserve-{slot.id}').mark(f'scc-reserve-{slot.id}')
                if now < slot.opens_at:
                    countdown(slot.opens_at, fmt=_('opens in {t}'), done=_('open now')).classes(
                        'text-xs col-span-3 text-gray-700'
                    )
            if slot.mode == AllocationMode.lottery and slot.seed_hash:
                with grid, ui.row().classes('w-full items-center gap-2 no-wrap col-span-3'):
                    ui.label(_('Draw seed hash (SHA-256): {hash}', hash=slot.seed_hash[:16] + '…')).classes(
                        'text-xs text-gray-600 break-all'
                    )
                    ui.link(_('Draw record'), f'/api/reservations/lottery/{slot.id}.json', new_tab=True).classes(
                        'text-xs'
                    )


def _store_contact(store: ResStorePublic) -> None:
    """Opening hours, the phone (a tap calls) and a link that opens the phone's own map app at the store: nothing
    is loaded from outside for it."""
    with ui.row().classes('w-full items-center gap-x-3 gap-y-0 text-sm'):
        ui.label(_('Open {opens}–{closes}', opens=store.opens, closes=store.closes)).classes('text-gray-700')
        if store.phone:
            digits = ''.join(c for c in store.phone if c.isdigit() or c == '+')
            ui.link(store.phone, f'tel:{digits}').classes('scc-store-phone').mark(f'scc-store-phone-{store.id}')
        name = quote(pick(store.name_zh, store.name_en))
        where = f'{store.lat:.6g},{store.lon:.6g}'
        ui.link(_('Open in maps'), f'geo:{where}?q={where}({name})').classes('scc-store-map').mark(
            f'scc-store-map-{store.id}'
        )


def _show_map(box: ui.column, stores: list[ResStorePublic]) -> None:
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
