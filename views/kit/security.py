"""Transport security for every request (docs/security/transport.md): the app's own origins only (websocket,
polling, uploads and every other unsafe request), bodies capped before they are read, uploads only from the page's
own session, ids in paths that are positive 63-bit integers or 404, security headers (a nonce-based CSP) on every
response, and error pages without exception texts. `install(app)` wires it all, once per build."""

import logging
import re
import secrets
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.routing import APIRoute
from nicegui import core
from nicegui.client import Client
from nicegui.error import error_content
from nicegui.page import page as nicegui_page
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.settings import settings

log = logging.getLogger(__name__)
MAX_ID = 2**63 - 1  # the largest id every database stores (BIGINT, SQLite INTEGER)
ID_TEXT = re.compile(r'[1-9][0-9]{0,18}')  # the one spelling of an id in a path: no sign, no leading zero
UPLOAD_PATH = re.compile(r'/_nicegui/client/(?P<client_id>[^/]+)/upload/[^/]+')
SOCKET_PATH = '/_nicegui_ws'
SAFE_METHODS = frozenset({'GET', 'HEAD', 'OPTIONS'})
HSTS = 'max-age=31536000; includeSubDomains'
# What a NiceGUI 3 page needs, and why (docs/security/transport.md#content-security-policy):
#   script-src: 'self' for NiceGUI's, the kit's and the vendored files; the nonce for the page template's inline
#     scripts (importmap, the Vue app, scc.configure); 'unsafe-eval' because Vue compiles the components' templates
#     in the browser (new Function) and NiceGUI evaluates `:prop` values, js handlers and run_javascript with eval.
#   style-src 'unsafe-inline': Quasar, Tailwind's browser build and NiceGUI's addStyle() create <style> elements
#     at run time (no nonce can reach them), and the template sets style attributes.
#   img-src: data: for the referral QR, the map tiles' host; media-src/connect-src https: and blob: for the HLS
#     player (organizers enter the stream's URL; hls.js fetches it and plays through MediaSource blobs).
PAGE_POLICY = (
    "default-src 'none'; script-src 'self' 'nonce-{nonce}' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob: {tiles}; font-src 'self' data:; connect-src 'self' https:; "
    "media-src 'self' blob: https:; worker-src 'self' blob:; manifest-src 'self'; frame-src 'none'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# Everything else (JSON, calendars, images, files): nothing may run in it, should it ever be opened as a document.
OTHER_POLICY = (
    "default-src 'none'; img-src 'self'; media-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
SCRIPT_TAG = re.compile(rb'<script(?=[\s>])')


def configured_origins() -> frozenset[str]:
    """The origins named in settings.allowed_origins (normalized); empty: the host that served the page."""
    return frozenset(_normal(origin) for origin in settings.allowed_origins.split(',') if origin.strip())


def origin_allowed(origin: str, host: str | None) -> bool:
    """Whether a request with this Origin header comes from one of the app's own pages (`host`: its Host header)."""
    origin = _normal(origin)
    configured = configured_origins()
    if configured:
        return origin in configured
    if not host or not re.fullmatch(r'[A-Za-z0-9.\-\[\]:]+', host):
        return False
    return origin in {_normal(f'http://{host}'), _normal(f'https://{host}')}  # 'null' is never one of them


def _normal(origin: str) -> str:
    origin = origin.strip().rstrip('/').lower()
    for scheme, port in (('http://', ':80'), ('https://', ':443')):
        if origin.startswith(scheme) and origin.endswith(port):
            return origin[: -len(port)]
    return origin


def page_policy(nonce: str) -> str:
    """The Content-Security-Policy of a page whose inline scripts carry `nonce`."""
    parts = settings.map_tile_url.split('/')
    tiles = f'{parts[0]}//{parts[2].replace("{s}", "*")}' if len(parts) > 2 and parts[0] in ('http:', 'https:') else ''
    return PAGE_POLICY.format(nonce=nonce, tiles=tiles)


def _header(scope: Scope, name: bytes) -> str | None:
    values = [value for key, value in scope.get('headers', []) if key.lower() == name]
    return values[0].decode('latin-1') if values else None


class SecurityMiddleware:
    """The ASGI middleware: refuses before the app runs, caps what it reads, adds headers to what it sends."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope['type'] == 'websocket':
            origin = _header(scope, b'origin')
            if origin is not None and not origin_allowed(origin, _header(scope, b'host')):
                await send({'type': 'websocket.close', 'code': 1008})  # before accept: the server answers 403
                return
            await self.app(scope, receive, send)
            return
        if scope['type'] != 'http':
            await self.app(scope, receive, send)
            return
        send = _HeaderSender(send)
        refusal = self._refusal(scope)  # each before the app runs: nothing of the body has been read
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _refusal(self, scope: Scope) -> ASGIApp | None:
        path, method = scope['path'], scope['method']
        origin = _header(scope, b'origin')
        foreign = origin is not None and not origin_allowed(origin, _header(scope, b'host'))
        # A browser always sends Origin cross-origin (and on every POST); no Origin means no other site's page.
        if foreign and (method not in SAFE_METHODS or path.startswith(SOCKET_PATH)):
            return PlainTextResponse('Forbidden', status_code=403)
        length = _header(scope, b'content-length')
        if length is not None and (not length.isdigit() or int(length) > settings.max_body_bytes):
            return PlainTextResponse('Request body too large', status_code=413)
        if match := UPLOAD_PATH.fullmatch(path):
            client = Client.instances.get(match['client_id'])
            if client is None:
                return PlainTextResponse('Not Found', status_code=404)
            own = (client.request.scope.get('session') or {}).get('id') if client.request is not None else None
            if own is None or (scope.get('session') or {}).get('id') != own:
                return PlainTextResponse('Forbidden', status_code=403)
            return None
        return _bad_id(scope)


def _bad_id(scope: Scope) -> ASGIApp | None:
    """A 404 when the route this request goes to takes an int id and the path's is not in 1..2**63-1."""
    if scope['path'].startswith('/_nicegui'):
        return None
    route: BaseRoute | None = None
    for candidate in core.app.router.routes:  # the route Starlette will choose: the first full match, else partial
        found, _ = candidate.matches(scope)
        if found is Match.FULL:
            route = candidate
            break
        if found is Match.PARTIAL and route is None:
            route = candidate
    if not isinstance(route, APIRoute):
        return None
    values = route.matches(scope)[1].get('path_params', {})
    for name in _int_path_params(route):
        text = str(values.get(name, ''))
        if not ID_TEXT.fullmatch(text) or int(text) > MAX_ID:
            return _NotFound(is_page=route.path in Client.page_routes.values())
    return None


def _int_path_params(route: APIRoute) -> tuple[str, ...]:
    names: tuple[str, ...] | None = getattr(route, '_scc_int_path_params', None)
    if names is None:
        names = tuple(f.name for f in route.dependant.path_params if f.field_info.annotation is int)
        route._scc_int_path_params = names  # type: ignore[attr-defined]  # once per route, not per request
    return names


class _NotFound:
    """404: NiceGUI's "page doesn't exist" for pages, JSON like FastAPI's for the rest; never the id's error."""

    def __init__(self, *, is_page: bool) -> None:
        self.is_page = is_page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.is_page:
            response = error_page(Request(scope, receive), 404)
        else:
            response = JSONResponse({'detail': 'Not Found'}, status_code=404)
        await response(scope, receive, send)


def error_page(request: Request, status_code: int) -> Response:
    """NiceGUI's error page with the status only: no exception class, message or traceback reaches the user."""
    with Client(nicegui_page(''), request=request) as client:
        error_content(status_code, '')
    return client.build_response(request, status_code)


class _HeaderSender:
    """Wraps `send`: the security headers on every response; a page's inline scripts get this response's nonce."""

    def __init__(self, send: Send) -> None:
        self.send = send
        self.started = False
        self.start: Message | None = None
        self.body: list[bytes] = []
        self.nonce = secrets.token_urlsafe(18)

    async def __call__(self, message: Message) -> None:
        if message['type'] == 'http.response.start':
            self.started = True
            headers = [(k, v) for k, v in message.get('headers', []) if k.lower() != b'content-security-policy']
            is_page = _is_page(headers)
            headers += _security_headers(page_policy(self.nonce) if is_page else OTHER_POLICY)
            message = {**message, 'headers': headers}
            if is_page:
                self.start = message  # held until the body is complete: its length changes
                return
        elif message['type'] == 'http.response.body' and self.start is not None:
            self.body.append(message.get('body', b''))
            if message.get('more_body', False):
                return
            body = SCRIPT_TAG.sub(b'<script nonce="' + self.nonce.encode() + b'"', b''.join(self.body))
            headers = self.start['headers']
            if body:  # (a HEAD answer keeps the length of the GET it stands for)
                headers = [(k, v) for k, v in headers if k.lower() != b'content-length']
                headers.append((b'content-length', str(len(body)).encode()))
            await self.send({**self.start, 'headers': headers})
            self.start = None
            message = {'type': 'http.response.body', 'body': body}
        await self.send(message)


def _is_page(headers: list[tuple[bytes, bytes]]) -> bool:
    found = {k.lower(): v.lower() for k, v in headers}
    # Only NiceGUI's own template: its user content is escaped (&lt;), so every <script in it is the framework's
    # or the kit's (head HTML), never a visitor's.
    return found.get(b'x-nicegui-content') == b'page' and found.get(b'content-type', b'').startswith(b'text/html')


def _security_headers(policy: str) -> list[tuple[bytes, bytes]]:
    headers = [
        (b'content-security-policy', policy.encode()),
        (b'x-content-type-options', b'nosniff'),
        (b'x-frame-options', b'DENY'),
        (b'referrer-policy', b'same-origin'),
        (b'permissions-policy', b'camera=(self), geolocation=(self), microphone=(), payment=(), usb=()'),
        (b'cross-origin-opener-policy', b'same-origin'),
    ]
    if settings.secure_cookies:
        headers.append((b'strict-transport-security', HSTS.encode()))
    return headers


async def _validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    if any(part.get('loc', ('',))[0] == 'path' for part in error.errors()):
        return _not_found_response(request)
    return await request_validation_exception_handler(request, error)


def _not_found_response(request: Request) -> Response:
    route = request.scope.get('route')
    if isinstance(route, APIRoute) and route.path in Client.page_routes.values():
        return error_page(request, 404)
    return JSONResponse({'detail': 'Not Found'}, status_code=404)


async def _server_error(request: Request, error: Exception) -> Response:
    if not request.scope.get('nicegui_page_path'):
        raise error  # not a page: Starlette answers a bare "Internal Server Error", as before
    log.error('page %s failed', request.url.path, exc_info=error)
    return error_page(request, 500)


def _socket_origin_allowed(origin: str | None, environ: dict[str, Any]) -> bool:
    # engine.io asks for CORS answers (polling) and refuses connections itself; the middleware refused already.
    return origin is not None and origin_allowed(origin, environ.get('HTTP_HOST'))


def install(app: FastAPI) -> None:
    """Wire transport security into the app (call in main.build(), before the modules register their routes)."""
    app.add_middleware(SecurityMiddleware)
    # FastAPI's own limit, outside every middleware: counts what is read (chunked bodies too) and answers 413.
    app.max_body_size = settings.max_body_bytes
    if not any(m.cls is SessionMiddleware for m in app.user_middleware):
        # NiceGUI's own session cookie (the browser id), added here so it can be Secure; ui.run then keeps it.
        app.add_middleware(SessionMiddleware, secret_key=settings.storage_secret, https_only=settings.secure_cookies,
                           same_site='lax')  # fmt: skip
    core.sio.eio.cors_allowed_origins = _socket_origin_allowed
    core.sio.eio.cors_credentials = True
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _server_error)
