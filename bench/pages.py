"""How fast a resident's Home appears on a phone: `.venv/bin/python bench/pages.py [--quick]`.

Starts the app (BENCH_MODE=true, a fresh SQLite database in a temporary folder) and, as a floor, the bare NiceGUI
page of bench/_bare_app.py; opens each in headless Chromium (360x740, loopback) signed in as a demo resident,
cold (empty cache) and warm (same context again). `first_render_ms`: from navigation start until the page's
content is in the DOM and painted (a MutationObserver notes when it appears, then two animation frames);
`transfer_kb`: bytes over the wire (Chromium's encodedDataLength, websocket excluded). The last line is JSON:
page, first_render_ms, transfer_kb (cold), plus warm and floor figures.
"""

import argparse
import statistics
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _support as support  # noqa: E402

CHROMIUM = '/usr/bin/chromium'
CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
                 '--no-first-run']  # fmt: skip
WATCH = """
(() => {
  const selector = %r;
  const mark = () => { window.__sccRendered = performance.now(); };
  const done = () => requestAnimationFrame(() => requestAnimationFrame(mark));
  const check = () => {
    if (window.__sccSeen) return;
    if (document.querySelector(selector)) { window.__sccSeen = true; done(); }
  };
  new MutationObserver(check).observe(document, {childList: true, subtree: true});
})();
"""


def visit(context: Any, url: str, selector: str) -> tuple[float, float]:
    """Open `url` in a new page of `context`; returns (first_render_ms, transfer_kb)."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    received = [0]
    cdp.on('Network.loadingFinished', lambda event: received.__setitem__(0, received[0] + event['encodedDataLength']))
    cdp.send('Network.enable')
    page.add_init_script(WATCH % selector)
    page.goto(url, wait_until='load')
    page.wait_for_function('window.__sccRendered !== undefined', timeout=30_000)
    rendered = float(page.evaluate('window.__sccRendered'))
    page.wait_for_load_state('networkidle')
    page.close()
    return rendered, received[0] / 1024


def measure_page(browser: Any, base_url: str, path: str, selector: str, account_id: int | None,
                 samples: int) -> dict[str, float]:  # fmt: skip
    """Median cold and warm figures over `samples` fresh phone contexts."""
    cold: list[tuple[float, float]] = []
    warm: list[tuple[float, float]] = []
    for _ in range(samples):
        context = browser.new_context(viewport={'width': 360, 'height': 740}, is_mobile=True, has_touch=True,
                                      device_scale_factor=2, locale='zh-CN')  # fmt: skip
        try:
            if account_id is not None:  # the context's request API shares its cookies with its pages
                response = context.request.get(f'{base_url}/_bench/login/{account_id}?next=/healthz')
                assert response.ok, response.status
            cold.append(visit(context, base_url + path, selector))
            warm.append(visit(context, base_url + path, selector))
        finally:
            context.close()
    return {
        'first_render_ms': round(statistics.median(c[0] for c in cold), 1),
        'transfer_kb': round(statistics.median(c[1] for c in cold), 1),
        'warm_first_render_ms': round(statistics.median(w[0] for w in warm), 1),
        'warm_transfer_kb': round(statistics.median(w[1] for w in warm), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--quick', action='store_true', help='fewer samples (under 60 s)')
    parser.add_argument('--samples', type=int, help='visits per page (default 7, --quick 3)')
    args = parser.parse_args()
    samples = args.samples or (3 if args.quick else 7)
    from playwright.sync_api import sync_playwright

    from bench.fanout_scenarios._common import make_residents

    with support.bench_workdir('scc-pages-') as workdir:
        bare: support.Server | None = None
        app: support.Server | None = None
        try:
            port = support.free_port()
            bare = support.start_server('bare', support.ROOT / 'bench' / '_bare_app.py',
                                        support.child_environment(PORT=str(port)), port, workdir)  # fmt: skip
            database_url = support.prepare_database(workdir)
            resident = make_residents(1)[0]
            port = support.free_port()
            app = support.start_server('app', support.ROOT / 'bench' / '_app.py',
                                       support.app_environment(database_url, port, workdir), port, workdir)  # fmt: skip
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
                try:
                    floor = measure_page(browser, bare.url, '/', '.q-page', None, samples)
                    home = measure_page(browser, app.url, '/', '.scc-notice', resident, samples)
                finally:
                    browser.close()
        except BaseException:
            for server in (bare, app):
                if server is not None:
                    print(f'--- {server.name} log ---\n{server.log_tail()}', file=sys.stderr)
            raise
        finally:
            support.stop_server(bare)
            support.stop_server(app)
    support.emit({
        'page': 'resident home', **home, 'samples': samples,
        'bare_first_render_ms': floor['first_render_ms'], 'bare_transfer_kb': floor['transfer_kb'],
        'bare_warm_first_render_ms': floor['warm_first_render_ms'], **support.machine(),
    })  # fmt: skip


if __name__ == '__main__':
    main()
