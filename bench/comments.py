"""A burst of comments on a live show: `.venv/bin/python bench/comments.py [--quick]`.

Starts the app (BENCH_MODE=true, a fresh SQLite database in a temporary folder), opens W simulated watch pages of
the live demo show (python-socketio, like bench/fanout.py), then posts RATE comments a second for SECONDS seconds
through the app (`POST /_bench/trigger/comment`: one resident of a pool posts one comment via the service layer,
in the app process) and records, per page, when each comment's text first arrives in an `update`. Pages show the
latest 100 comments and receive them in batches (one render per show per flush, at a pace that grows with the
audience: views/shows/stream.py), so a comment is delivered when a batch carrying it arrives. The last line is
JSON: watchers, sent, posted_per_s, delivered, delivered_ratio (delivered / (sent x watchers)), lag_p50_ms,
lag_p95_ms, lag_max_ms, lag_p95_first_s_ms and lag_p95_last_s_ms (the server falls behind when the last second's
lag is much larger than the first's), post_p95_ms, kb_per_watcher.
"""

import argparse
import asyncio
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402

from bench import _support as support  # noqa: E402
from bench import fanout  # noqa: E402

MARKER = re.compile(r'bench [0-9a-f]{12}')


async def burst(app: support.Server, path: str, watcher_ids: list[int], rate: int, seconds: float) -> dict[str, Any]:
    """Connect the watchers, post the comments on schedule, collect what arrived where and when."""
    rss_before = app.rss_kb()
    gate = asyncio.Semaphore(fanout.CONNECT_CONCURRENCY)
    started = time.perf_counter()
    browsers = list(await asyncio.gather(*(fanout.open_browser(app.url, path, account_id, i, gate)
                                           for i, account_id in enumerate(watcher_ids))))  # fmt: skip
    connect_s = time.perf_counter() - started
    await asyncio.sleep(1.0)
    for browser in browsers:
        browser.arm()
    sent: dict[str, float] = {}
    post_ms: list[float] = []
    count = int(rate * seconds)
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    try:
        async with httpx.AsyncClient(timeout=60.0, limits=limits) as http:

            async def post(at: float) -> None:
                await asyncio.sleep(max(0.0, at - time.perf_counter()))
                t0 = time.perf_counter()
                response = await http.post(f'{app.url}/_bench/trigger/comment')
                if response.status_code == 200:
                    sent[response.json()['marker']] = t0
                    post_ms.append((time.perf_counter() - t0) * 1000)

            t_start = time.perf_counter() + 0.2
            await asyncio.gather(*(post(t_start + i / rate) for i in range(count)))
            posting_s = time.perf_counter() - t_start
            await asyncio.sleep(3.0)  # let the last batches arrive
        rss_after = app.rss_kb()
    finally:
        for browser in browsers:
            browser.armed = False
        await asyncio.gather(*(b.sio.disconnect() for b in browsers if b.sio is not None), return_exceptions=True)
    lags: list[tuple[float, float]] = []  # (sent at, lag in ms)
    for browser in browsers:
        seen: set[str] = set()
        for at, message in browser.arrivals:
            for marker in MARKER.findall(json.dumps(message, ensure_ascii=False)):
                if marker in sent and marker not in seen:
                    seen.add(marker)
                    lags.append((sent[marker], (at - sent[marker]) * 1000))
    lag_values = [lag for _, lag in lags]
    first = [lag for t, lag in lags if t < t_start + 1.0]
    last = [lag for t, lag in lags if t >= t_start + seconds - 1.0]
    delivered = len(lags)
    return {
        'watchers': len(browsers), 'rate': rate, 'seconds': seconds, 'sent': len(sent),
        'posted_per_s': round(len(sent) / posting_s, 1) if posting_s else 0.0,
        'delivered': delivered, 'delivered_ratio': round(delivered / (len(sent) * len(browsers)), 4) if sent else 0.0,
        'lag_p50_ms': round(support.percentile(lag_values, 0.5), 1),
        'lag_p95_ms': round(support.percentile(lag_values, 0.95), 1),
        'lag_max_ms': round(max(lag_values, default=0.0), 1),
        'lag_p95_first_s_ms': round(support.percentile(first, 0.95), 1),
        'lag_p95_last_s_ms': round(support.percentile(last, 0.95), 1),
        'post_p95_ms': round(support.percentile(post_ms, 0.95), 1),
        'kb_per_watcher': round((rss_after - rss_before) / max(1, len(browsers)), 1),
        'connect_s': round(connect_s, 1),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--watchers', type=int, help='open watch pages (default 1000, --quick 100)')
    parser.add_argument('--rate', type=int, default=100, help='comments per second (default 100)')
    parser.add_argument('--seconds', type=float, help='length of the burst (default 10, --quick 5)')
    parser.add_argument('--quick', action='store_true', help='a smaller run that finishes in under 60 s')
    args = parser.parse_args()
    watchers = args.watchers or (100 if args.quick else 1000)
    seconds = args.seconds or (5.0 if args.quick else 10.0)
    from bench.fanout_scenarios import comment

    with support.bench_workdir('scc-comments-') as workdir:
        app: support.Server | None = None
        try:
            database_url = support.prepare_database(workdir)
            watcher_ids = comment.prepare(watchers)
            port = support.free_port()
            app = support.start_server('app', support.ROOT / 'bench' / '_app.py',
                                       support.app_environment(database_url, port, workdir), port, workdir)  # fmt: skip
            result = asyncio.run(burst(app, comment.PATH, watcher_ids, args.rate, seconds))
        except BaseException:
            if app is not None:
                print(f'--- app log ---\n{app.log_tail()}', file=sys.stderr)
            raise
        finally:
            support.stop_server(app)
    support.emit({'bench': 'comments', **result, **support.machine()})


if __name__ == '__main__':
    main()
