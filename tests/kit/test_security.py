"""Transport security (docs/security/transport.md): the websocket and its polling transport refuse other origins;
bodies are capped before they are read; uploads need the page's own session and origin; every route that takes an
id answers 404 for one that is not a positive 63-bit integer; security headers (a nonce CSP) on every response; no
page shows an exception text; Secure cookies and HSTS with secure_cookies."""

import datetime
import io
import re
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import socketio
from nicegui import app, ui
from nicegui.testing import User
from PIL import Image

from models.shows import Show
from services import db
from services.settings import settings
from tests.support.pages import sign_in_resident, sign_in_staff
from tests.support.processes import LiveApp, free_port, start_app, stop_process, wait_until_healthy
from tests.support.shows import HOME, live_show_id
from tests.support.waits import wait_for
from views.kit import security

EVIL = 'http://evil.example'
SOCKET_PATH = '/_nicegui_ws/socket.io'
BAD_IDS = ('0', '-1', '9223372036854775808', 'abc', '007')
LEAKS = ('Traceback', 'OverflowError', 'Error:', 'Exception', 'SQLite', 'psycopg', 'int_parsing')


# -- the app in a process of its own: a real server, a real socket.io client --------------------------------------


@pytest.fixture(scope='module')
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    """The app (`main.py`) on a free port with a database of its own (the transport does not depend on which)."""
    folder = tmp_path_factory.mktemp('security-app')
    live = start_app(port=free_port(), channel=f'scc:test:{uuid.uuid4().hex[:12]}', log_path=folder / 'app.log',
                     DATABASE_URL=f'sqlite:///{folder / "app.db"}', REDIS_URL='', SEED_DEMO='true', DEMO_MODE='true',
                     GC_FREEZE='false', DATA_DIR=str(folder))  # fmt: skip
    try:
        try:
            wait_until_healthy(live.url, live.process)
        except RuntimeError as error:
            pytest.fail(f'{error}\n--- app log ---\n{live.log()}', pytrace=False)
        yield live
    finally:
        stop_process(live.process)


def open_page(live: LiveApp) -> tuple[httpx.Client, str]:
    """A browser's first request: the sign-in page, its session cookie and its client id."""
    browser = httpx.Client(base_url=live.url)
    response = browser.get('/login')
    match = re.search(r"'client_id': '([0-9a-f-]+)'", response.text)
    assert response.status_code == 200 and match is not None
    return browser, match.group(1)


async def connect(live: LiveApp, client_id: str, *, origin: str | None, cookie: str = '',
                  transport: str = 'websocket') -> socketio.AsyncClient:  # fmt: skip
    """Connect as the page's script does (implicit handshake), with this Origin header."""
    query = f'client_id={client_id}&tab_id={uuid.uuid4()}&document_id={uuid.uuid4()}&implicit_handshake=true'
    headers = {'Origin': origin} if origin is not None else {}
    if cookie:
        headers['Cookie'] = f'session={cookie}'
    sio = socketio.AsyncClient(reconnection=False)
    await sio.connect(f'{live.url}?{query}', headers=headers, transports=[transport], socketio_path=SOCKET_PATH,
                      wait_timeout=10)  # fmt: skip
    return sio


@pytest.mark.parametrize('transport', ['websocket', 'polling'])
@pytest.mark.parametrize('origin', [EVIL, 'null', 'https://127.0.0.1.evil.example'])
@pytest.mark.parametrize('with_cookie', [True, False])
async def test_the_socket_refuses_a_foreign_origin(
    served: LiveApp, transport: str, origin: str, with_cookie: bool
) -> None:
    browser, client_id = open_page(served)
    cookie = (browser.cookies.get('session') or '') if with_cookie else ''
    # (The polling client closes its HTTP session before it reads a refusal's body: aiohttp then raises
    # "Connection closed" — after the status said no. test_polling_answers_no_cors_... checks that answer itself.)
    refusals = (
        (socketio.exceptions.ConnectionError, RuntimeError)
        if transport == 'polling'
        else socketio.exceptions.ConnectionError
    )
    with pytest.raises(refusals):
        await connect(served, client_id, origin=origin, cookie=cookie, transport=transport)
    browser.close()


@pytest.mark.parametrize('transport', ['websocket', 'polling'])
async def test_the_socket_accepts_the_apps_own_origin(served: LiveApp, transport: str) -> None:
    browser, client_id = open_page(served)
    sio = await connect(served, client_id, origin=served.url, cookie=browser.cookies.get('session') or '',
                        transport=transport)  # fmt: skip
    try:
        assert sio.connected
    finally:
        await sio.disconnect()
        browser.close()


def test_polling_answers_no_cors_to_other_origins(served: LiveApp) -> None:
    url = f'{served.url}{SOCKET_PATH}/?EIO=4&transport=polling'
    for origin in (EVIL, 'null'):
        refused = httpx.get(url, headers={'Origin': origin, 'Cookie': 'session=x'})
        assert refused.status_code == 403
        assert 'access-control-allow-origin' not in refused.headers
        preflight = httpx.options(url, headers={'Origin': origin, 'Access-Control-Request-Method': 'POST'})
        assert 'access-control-allow-origin' not in preflight.headers
    own = httpx.get(url, headers={'Origin': served.url})
    assert own.status_code == 200 and own.headers['access-control-allow-origin'] == served.url


def test_a_declared_oversized_body_is_refused_before_it_is_sent(served: LiveApp) -> None:
    _, client_id = open_page(served)
    with socket.create_connection(('127.0.0.1', served.port), timeout=10) as raw:
        head = (f'POST /_nicegui/client/{client_id}/upload/1 HTTP/1.1\r\nHost: 127.0.0.1:{served.port}\r\n'
                'Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 50000000\r\n\r\n')  # fmt: skip
        raw.sendall(head.encode())
        answer = raw.recv(4096).decode(errors='replace')  # not one byte of the 50 MB was sent
    assert answer.startswith('HTTP/1.1 413'), answer[:200]


def test_the_apps_own_origins_are_the_served_host_or_the_configured_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, 'allowed_origins', '')
    assert security.origin_allowed('https://city.example', 'city.example')
    assert security.origin_allowed('http://city.example:80', 'city.example')  # default ports are the same origin
    assert security.origin_allowed('https://CITY.example/', 'city.example:443')
    for stranger in ('null', 'https://city.example.evil.example', 'https://evil.example', 'file://', ''):
        assert not security.origin_allowed(stranger, 'city.example'), stranger
    assert not security.origin_allowed('https://city.example', None)  # no Host: nothing is "the same host"
    assert not security.origin_allowed('https://a;b', 'a;b')  # a Host that is not a host name
    monkeypatch.setattr(settings, 'allowed_origins', 'https://city.example, https://www.city.example')
    assert security.origin_allowed('https://www.city.example', 'internal:8080')  # behind a proxy
    assert not security.origin_allowed('http://internal:8080', 'internal:8080')  # the list replaces the host


# -- headers, cookies, ids and error pages: the app through NiceGUI's simulated user (ASGI) -------------------------


async def test_every_response_has_the_security_headers(user: User) -> None:
    http = user.http_client
    first, second = await http.get('/login'), await http.get('/login')
    for response in (first, second, await http.get('/healthz'), await http.get('/shows/feed.json')):
        assert response.headers['x-content-type-options'] == 'nosniff'
        assert response.headers['x-frame-options'] == 'DENY'
        assert response.headers['referrer-policy'] == 'same-origin'
        policy = response.headers['content-security-policy']
        for directive in ("frame-ancestors 'none'", "default-src 'none'", 'base-uri '):
            assert directive in policy
        assert "'unsafe-inline'" not in policy.split('script-src')[-1].split(';')[0]
        assert 'strict-transport-security' not in response.headers  # not served over TLS here
    nonces = []
    for page in (first, second):
        policy = page.headers['content-security-policy']
        assert "object-src 'none'" in policy and "base-uri 'self'" in policy
        nonce = re.search(r"'nonce-([A-Za-z0-9_-]+)'", policy)
        assert nonce is not None
        nonces.append(nonce.group(1))
        tags = re.findall(r'<script\b[^>]*>', page.text)
        assert tags and all(f'nonce="{nonce.group(1)}"' in tag for tag in tags)
        assert int(page.headers['content-length']) == len(page.content)
    assert nonces[0] != nonces[1]


async def test_text_on_a_page_never_becomes_a_script_with_the_nonce(user: User) -> None:
    @ui.page('/_test/echo')
    def echo() -> None:
        ui.label('<script>alert("planted")</script>')

    page = await user.http_client.get('/_test/echo')
    assert page.status_code == 200
    assert '&lt;script&gt;alert' in page.text  # the text is in the page, escaped: no tag the nonce could go to
    assert 'alert("planted")</script>' not in page.text and 'alert(&quot;planted&quot;)</script>' not in page.text


@pytest.fixture
def secure_cookies(monkeypatch: pytest.MonkeyPatch) -> None:
    """Served over TLS (set before the app is built by the `user` fixture)."""
    monkeypatch.setattr(settings, 'secure_cookies', True)


async def test_with_secure_cookies_the_session_cookie_is_secure_and_hsts_is_sent(
    secure_cookies: None, user: User
) -> None:
    response = await user.http_client.get('/login')
    assert response.headers['strict-transport-security'].startswith('max-age=31536000')
    session = [c for c in response.headers.get_list('set-cookie') if c.startswith('session=')]
    assert session and 'secure' in session[0].lower() and 'httponly' in session[0].lower()


async def test_without_secure_cookies_the_session_cookie_works_over_http(user: User) -> None:
    response = await user.http_client.get('/login')
    session = [c for c in response.headers.get_list('set-cookie') if c.startswith('session=')]
    assert session and 'secure' not in session[0].lower()


ID_ROUTES = [
    ('/shows/{id}', 'resident'),
    ('/shows/{id}.ics', None),
    ('/api/reservations/lottery/{id}.json', None),
    ('/clinic/c/{id}', 'resident'),
    ('/clinic/desk/c/{id}', 'doctor1'),
    ('/organizer/shows/{id}', 'organizer1'),
    ('/checkpoint/{id}', 'gate1'),
    ('/checkpoint/{id}/poster', 'gate1'),
]


@pytest.mark.parametrize(('route', 'who'), ID_ROUTES)
async def test_a_route_answers_404_for_an_id_that_is_not_a_positive_63_bit_integer(
    user: User, route: str, who: str | None
) -> None:
    if who == 'resident':
        await sign_in_resident(user, landing_marker=HOME)
    elif who is not None:
        await sign_in_staff(user, who)
    for bad in BAD_IDS:
        response = await user.http_client.get(route.replace('{id}', bad))
        assert response.status_code == 404, (bad, response.status_code, response.text[:300])
        leaked = [word for word in LEAKS if word in response.text]
        assert not leaked, (bad, leaked)


async def test_a_validation_error_in_a_path_is_404_and_elsewhere_still_422(user: User) -> None:
    @app.get('/_test/day/{day}')
    def day(day: datetime.date, n: int = 0) -> dict[str, str]:
        return {'day': day.isoformat()}

    assert (await user.http_client.get('/_test/day/2026-02-30')).status_code == 404
    assert (await user.http_client.get('/_test/day/2026-02-03')).json() == {'day': '2026-02-03'}
    assert (await user.http_client.get('/_test/day/2026-02-03?n=x')).status_code == 422


async def test_a_failing_page_shows_no_exception_text(user: User, caplog: pytest.LogCaptureFixture) -> None:
    @ui.page('/_test/fails')
    def fails() -> None:
        raise RuntimeError('secret detail from the database layer')

    # (Starlette re-raises after answering, for the server's log: this client must not raise it into the test.)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app, raise_app_exceptions=False),
                                 base_url='http://test') as http:  # fmt: skip
        response = await http.get('/_test/fails')
    assert response.status_code == 500
    assert 'secret detail' not in response.text and 'RuntimeError' not in response.text
    assert any('secret detail' in str(r.exc_info) for r in caplog.records if r.exc_info)  # the log has it
    caplog.clear()  # the error was expected: the user fixture must not fail on it


# -- uploads: the page's own session and origin, the body capped --------------------------------------------------


def png() -> bytes:
    picture = io.BytesIO()
    Image.new('RGB', (300, 400), (20, 90, 160)).save(picture, 'PNG')
    return picture.getvalue()


def multipart(data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="p.png"\r\n'
            f'Content-Type: image/png\r\n\r\n').encode() + data + f'\r\n--{boundary}--\r\n'.encode()  # fmt: skip
    return body, f'multipart/form-data; boundary={boundary}'


class Counted:
    """A request body sent in 64 KB chunks (chunked: no Content-Length) that counts how much the app read."""

    def __init__(self, data: bytes) -> None:
        self.data, self.pulled = data, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for start in range(0, len(self.data), 65536):
            chunk = self.data[start : start + 65536]
            self.pulled += len(chunk)
            yield chunk


async def poster_upload_url(user: User) -> tuple[str, int]:
    await sign_in_staff(user, 'organizer1')
    show_id = live_show_id()
    await user.open(f'/organizer/shows/{show_id}')
    upload = next(iter(user.find(marker='scc-poster-upload').elements))
    return str(upload.props['url']), show_id


def poster_of(show_id: int) -> str:
    with db.read_session() as session:
        show = session.get(Show, show_id)
        assert show is not None
        return show.poster


@pytest.mark.parametrize('who', ['no cookie', 'foreign origin', 'another session'])
async def test_an_upload_needs_the_pages_own_session_and_origin(
    user: User, who: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, 'data_dir', tmp_path)
    url, show_id = await poster_upload_url(user)
    body, kind = multipart(png() + b'\0' * 3_000_000)  # a valid PNG (trailing bytes are ignored), 3 MB in all
    counted = Counted(body)
    headers = {'Content-Type': kind, 'Origin': 'http://test'}
    transport = httpx.ASGITransport(app)
    if who == 'no cookie':
        sender = httpx.AsyncClient(transport=transport, base_url='http://test')
    elif who == 'foreign origin':
        sender = httpx.AsyncClient(transport=transport, base_url='http://test', cookies=user.http_client.cookies)
        headers['Origin'] = EVIL
    else:
        sender = httpx.AsyncClient(transport=transport, base_url='http://test')
        await sender.get('/login')  # a session of its own
    try:
        response = await sender.post(url, content=counted, headers=headers)
    finally:
        await sender.aclose()
    assert response.status_code in (403, 404), response.text
    assert counted.pulled <= 65536, f'{counted.pulled} bytes read before refusing'
    assert poster_of(show_id) == ''


async def test_the_pages_own_upload_works_and_a_streamed_body_is_capped(
    user: User, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, 'data_dir', tmp_path)
    url, show_id = await poster_upload_url(user)
    body, kind = multipart(png())
    response = await user.http_client.post(url, content=body, headers={'Content-Type': kind, 'Origin': 'http://test'})
    assert response.status_code == 200, response.text
    await wait_for(lambda: poster_of(show_id) != '')  # the upload handler runs as a task of the page
    oversized, kind = multipart(b'\0' * (settings.max_body_bytes + 1_000_000))
    counted = Counted(oversized)
    response = await user.http_client.post(url, content=counted, headers={'Content-Type': kind})
    assert response.status_code == 413
    assert counted.pulled <= settings.max_body_bytes + 65536, 'read past the limit'
