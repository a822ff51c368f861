"""How fast one change reaches N open pages: `.venv/bin/python bench/fanout.py --scenario notice --clients 1000`.

Starts the app (BENCH_MODE=true, a fresh SQLite database in a temporary folder) and a bare NiceGUI app (one label,
bench/_bare_app.py) on free ports, simulates N browsers with python-socketio (page over one HTTP connection, signed
in through /_bench/login; websocket on another), triggers the scenario's change a few times and measures per client
the time until an `update` carrying the scenario's marker arrives. The last line is JSON:
scenario, clients, p50_ms, p95_ms, received, bare_p95_ms, ratio, kb_per_client (server RSS growth / N).
Without --scenario every scenario in bench/fanout_scenarios/ runs, one JSON line each (the bare floor is measured
once per run, first).
"""

import argparse
import asyncio
import gc
import json
import re
import ssl
import sys
import time
import traceback
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402
import socketio  # noqa: E402

from bench import _support as support  # noqa: E402

CLIENT_ID = re.compile(r"""['"]client_id['"]\s*:\s*['"]([0-9a-f-]+)['"]""")
NEXT_MESSAGE_ID = re.compile(r"""['"]next_message_id['"]\s*:\s*(\d+)""")
CONNECT_CONCURRENCY = 8  # page loads in flight: more only queue up in the server (and hit its 3 s page timeout)
CONNECT_ATTEMPTS = 3
ROUND_TIMEOUT_S = 20.0
SSL = ssl.create_default_context()  # one for all: building one per httpx client costs ~20 ms of the bench's CPU


@dataclass
class SimulatedBrowser:
    """One simulated tab: its socket, and the updates that arrived during the current round."""

    index: int
    client_id: str = ''
    next_message_id: int = 0
    sio: Any = None
    armed: bool = False
    failures: int = 0  # page loads or connections that had to be retried
    disconnects: int = 0  # sockets the server closed (the simulated browser does not reconnect)
    arrivals: list[tuple[float, dict[str, Any]]] = field(default_factory=list)

    def on_update(self, message: dict[str, Any]) -> None:
        if self.armed:  # only the time is taken here; the marker is looked for after the round
            self.arrivals.append((time.perf_counter(), message))
        if '_id' in message:
            self.next_message_id = int(message['_id']) + 1

    scanned: int = 0
    found_at: float | None = None

    def arrival_of(self, marker: str) -> float | None:
        """When the first update carrying `marker` arrived in this round (each update is looked at once)."""
        while self.found_at is None and self.scanned < len(self.arrivals):
            at, message = self.arrivals[self.scanned]
            self.scanned += 1
            if marker in json.dumps(message, ensure_ascii=False):
                self.found_at = at
        return self.found_at

    def on_disconnect(self, *_args: Any) -> None:
        self.disconnects += 1

    def arm(self) -> None:
        """Start a round: forget the last one's updates."""
        self.arrivals.clear()
        self.scanned = 0
        self.found_at = None
        self.armed = True


@dataclass
class Measurement:
    latencies_ms: list[float] = field(default_factory=list)
    received_min: int = 0
    received_per_round: list[int] = field(default_factory=list)
    disconnects: int = 0
    rss_before_kb: int = 0
    rss_after_kb: int = 0
    connect_s: float = 0.0
    retries: int = 0


async def open_browser(base_url: str, path: str, account_id: int | None, index: int,
                       gate: asyncio.Semaphore) -> SimulatedBrowser:  # fmt: skip
    """Fetch the page like a browser (signed in if `account_id`), then connect its websocket; retry twice."""
    browser = SimulatedBrowser(index=index)
    async with gate:
        for attempt in range(CONNECT_ATTEMPTS):
            try:
                await _connect(browser, base_url, path, account_id)
                return browser
            except Exception as error:  # a page answered 500 under load, say: a browser would reload it
                browser.failures += 1
                if attempt == CONNECT_ATTEMPTS - 1:
                    print(f'# client {index} gave up: {error!r}', file=sys.stderr, flush=True)
                await asyncio.sleep(1.0)
    return browser


async def _connect(browser: SimulatedBrowser, base_url: str, path: str, account_id: int | None) -> None:
    async with httpx.AsyncClient(base_url=base_url, follow_redirects=True, timeout=120.0, verify=SSL) as http:
        if account_id is None:
            response = await http.get(path)
        else:
            response = await http.get(f'/_bench/login/{account_id}', params={'next': path})
        response.raise_for_status()
        cookie = '; '.join(f'{k}={v}' for k, v in http.cookies.items())
    html = response.text
    found_id, found_next = CLIENT_ID.search(html), NEXT_MESSAGE_ID.search(html)
    if not found_id or not found_next:
        raise RuntimeError(f'no client_id in the page {path} ({response.status_code}): {html[:300]!r}')
    browser.client_id, browser.next_message_id = found_id.group(1), int(found_next.group(1))
    # The query the browser sends (nicegui/static/nicegui.js: options.query plus document and tab ids).
    query = {'client_id': browser.client_id, 'next_message_id': browser.next_message_id,
             'implicit_handshake': 'true', 'document_id': str(uuid.uuid4()), 'tab_id': str(uuid.uuid4()),
             'old_tab_id': 'null'}  # fmt: skip
    sio = socketio.AsyncClient(reconnection=False)
    sio.on('update', browser.on_update)
    sio.on('disconnect', browser.on_disconnect)
    headers = {'Cookie': cookie} if cookie else {}
    try:
        await sio.connect(f'{base_url}?{urlencode(query)}', socketio_path='/_nicegui_ws/socket.io',
                          transports=['websocket'], headers=headers, wait_timeout=30)  # fmt: skip
    except BaseException:
        await sio.disconnect()
        raise
    browser.sio = sio


async def acknowledge(browsers: list[SimulatedBrowser]) -> None:
    """What the browser does every 3 s: tell the server which messages arrived (it prunes its history)."""
    for browser in browsers:
        if browser.sio is not None and browser.sio.connected:
            await browser.sio.emit('ack', {'client_id': browser.client_id, 'next_message_id': browser.next_message_id})


async def measure(server: support.Server, path: str, account_ids: list[int | None], rounds: int,
                  trigger_url: str) -> Measurement:  # fmt: skip
    """Connect one simulated browser per account id, trigger `rounds` changes, collect the latencies."""
    result = Measurement(rss_before_kb=server.rss_kb())
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
    started = time.perf_counter()
    tasks = [open_browser(server.url, path.replace('{i}', str(i)), account_id, i, gate)
             for i, account_id in enumerate(account_ids)]  # fmt: skip
    browsers = list(await asyncio.gather(*tasks))
    result.connect_s = time.perf_counter() - started
    result.retries = sum(b.failures for b in browsers)
    await asyncio.sleep(1.0)  # let the last connections settle
    result.received_min = len(browsers)
    try:
        async with httpx.AsyncClient(timeout=60.0) as http:
            for _ in range(rounds):
                marker_hint = f'bare-{uuid.uuid4().hex[:12]}'  # the bare app shows this one; the app makes its own
                for browser in browsers:
                    browser.arm()
                t0 = time.perf_counter()
                response = await http.post(trigger_url, params={'marker': marker_hint})
                response.raise_for_status()
                marker = response.json()['marker']
                deadline = time.perf_counter() + ROUND_TIMEOUT_S
                pending = [b for b in browsers if b.sio is not None]  # those that gave up count as missed
                while pending and time.perf_counter() < deadline:
                    await asyncio.sleep(0.05)
                    pending = [b for b in pending if b.arrival_of(marker) is None]
                arrivals = [b.arrival_of(marker) for b in browsers]
                for browser in browsers:
                    browser.armed = False
                got = [at - t0 for at in arrivals if at is not None]
                result.latencies_ms.extend(seconds * 1000 for seconds in got)
                result.received_min = min(result.received_min, len(got))
                result.received_per_round.append(len(got))
                await acknowledge(browsers)
                await asyncio.sleep(1.5)
        result.rss_after_kb = server.rss_kb()
        result.disconnects = sum(b.disconnects for b in browsers)
    finally:
        await asyncio.gather(*(b.sio.disconnect() for b in browsers if b.sio is not None), return_exceptions=True)
        browsers.clear()
        await asyncio.sleep(0.2)
        gc.collect()  # let aiohttp's responses go while their loop still runs (no "Event loop is closed" noise)
    return result


def scenario_names() -> list[str]:
    """Every scenario of bench/fanout_scenarios/SCENARIOS, in its order."""
    from bench.fanout_scenarios import SCENARIOS

    return list(SCENARIOS)


def summarize(latencies: list[float]) -> tuple[float, float]:
    return round(support.percentile(latencies, 0.5), 1), round(support.percentile(latencies, 0.95), 1)


def measure_floor(clients: int, rounds: int) -> Measurement:
    """The same N clients on the bare NiceGUI page (one label): the floor every scenario of this run is compared to."""
    with support.bench_workdir('scc-fanout-bare-') as workdir:
        bare: support.Server | None = None
        try:
            port = support.free_port()
            bare = support.start_server('bare', support.ROOT / 'bench' / '_bare_app.py',
                                        support.child_environment(PORT=str(port)), port, workdir)  # fmt: skip
            floor = asyncio.run(measure(bare, '/', [None] * clients, rounds, f'{bare.url}/trigger'))
        except BaseException:
            if bare is not None:
                print(f'--- bare log ---\n{bare.log_tail()}', file=sys.stderr)
            raise
        finally:
            support.stop_server(bare)
    print(f'# bare floor: connected {clients} in {floor.connect_s:.1f} s, p95 {summarize(floor.latencies_ms)[1]} ms',
          file=sys.stderr, flush=True)  # fmt: skip
    return floor


def run_scenario(name: str, clients: int, rounds: int, floor: Measurement) -> dict[str, Any]:
    """Measure the app for one scenario against `floor`; the app is stopped at the end, even on failure."""
    from bench.fanout_scenarios import SCENARIOS

    scenario = SCENARIOS[name]
    with support.bench_workdir(f'scc-fanout-{name}-') as workdir:
        app: support.Server | None = None
        try:
            database_url = support.prepare_database(workdir)
            account_ids: list[int | None] = list(scenario.prepare(clients))
            if len(account_ids) != clients:
                raise RuntimeError(f'{name}.prepare returned {len(account_ids)} ids for {clients} clients')
            port = support.free_port()
            app = support.start_server('app', support.ROOT / 'bench' / '_app.py',
                                       support.app_environment(database_url, port, workdir), port, workdir)  # fmt: skip
            measured = asyncio.run(measure(app, scenario.PATH, account_ids, rounds, f'{app.url}/_bench/trigger/{name}'))
            print(f'# {name}: app connected {clients} in {measured.connect_s:.1f} s', file=sys.stderr, flush=True)
        except BaseException:
            if app is not None:
                print(f'--- app log ({name}) ---\n{app.log_tail()}', file=sys.stderr)
            raise
        finally:
            support.stop_server(app)
    p50, p95 = summarize(measured.latencies_ms)
    bare_p50, bare_p95 = summarize(floor.latencies_ms)
    return {
        'scenario': name, 'clients': clients, 'p50_ms': p50, 'p95_ms': p95, 'received': measured.received_min,
        'bare_p95_ms': bare_p95, 'ratio': round(p95 / bare_p95, 2) if bare_p95 else None,
        'kb_per_client': round((measured.rss_after_kb - measured.rss_before_kb) / clients, 1),
        'rounds': rounds, 'max_ms': round(max(measured.latencies_ms, default=0.0), 1), 'bare_p50_ms': bare_p50,
        'bare_received': floor.received_min,
        'bare_kb_per_client': round((floor.rss_after_kb - floor.rss_before_kb) / clients, 1),
        'connect_s': round(measured.connect_s, 1), 'connect_retries': measured.retries,
        'received_per_round': measured.received_per_round, 'disconnects': measured.disconnects,
        'bare_received_per_round': floor.received_per_round, 'bare_disconnects': floor.disconnects,
        **support.machine(),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--scenario', help='one scenario (default: every scenario found)')
    parser.add_argument('--clients', type=int, help='simulated browsers (default 1000, --quick 200)')
    parser.add_argument('--rounds', type=int, help='changes triggered (default 5, --quick 3)')
    parser.add_argument('--quick', action='store_true', help='a smaller run: under 60 s per scenario')
    args = parser.parse_args()
    clients = args.clients or (200 if args.quick else 1000)
    rounds = args.rounds or (3 if args.quick else 5)
    names = [args.scenario] if args.scenario else scenario_names()
    floor = measure_floor(clients, rounds)
    for name in names:
        try:
            support.emit(run_scenario(name, clients, rounds, floor))
        except Exception as error:  # one broken scenario must not hide the others' figures
            if args.scenario:
                raise
            traceback.print_exc()
            support.emit({'scenario': name, 'clients': clients, 'error': repr(error)})


if __name__ == '__main__':
    main()
