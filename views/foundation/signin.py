"""Sign-in pages: residents by phone and one-time code, staff by username and password; the first profile."""

import re
import uuid

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import app, context, ui

from models.accounts import Role
from services import db
from services.access import Actor
from services.city import current_city
from services.errors import DomainError
from services.foundation import auth, people, sessions
from services.settings import settings
from views.kit import call
from views.kit.fields import text_field
from views.kit.frame import current_actor, enter, page
from views.kit.i18n import _, error_text, language


def _safe_next(target: str | None, default: str) -> str:
    # Only local paths: an open redirect would let a phishing link borrow our sign-in page.
    # Browsers read '/\\host' like '//host' (another site), and ignore tabs and newlines inside a URL.
    if target and target.startswith('/') and not re.match(r'/[/\\]', target) and target.isprintable():
        return target
    return default


def client_address() -> str:
    """The address this page's browser connects from (behind a proxy: run uvicorn with --proxy-headers)."""
    request = context.client.request
    return request.client.host if request is not None and request.client is not None else ''


def _verify_code(phone: str, code: str) -> Actor:
    with db.session_scope() as session:
        actor, error = auth.verify_code(session, phone=phone, code=code)
    if error is not None:  # raised after the commit, so that the failed try is counted
        raise error
    assert actor is not None
    return actor


def _verify_password(username: str, password: str, address: str) -> Actor:
    with db.session_scope() as session:
        actor, error = auth.password_sign_in(session, username=username, password=password, client_address=address)
    if error is not None:
        raise error
    assert actor is not None
    return actor


def register() -> None:
    @page('/login', layout='public')
    async def resident_login(next: str = '/', expired: int = 0) -> None:  # noqa: A002 — the query parameter's name
        ui.label(_('Sign in with your phone')).classes('text-2xl font-bold')
        if expired:
            ui.label(_('This sign-in link has expired. Please sign in again.')).classes('text-negative')
        ui.label(_('We send a 6-digit code to your phone.')).classes('text-gray-700')
        phone = text_field(_('Mobile number'), 'scc-phone', max_length=11, props='type=tel inputmode=numeric',
                           classes='w-full')  # fmt: skip
        code = text_field(_('6-digit code'), 'scc-code', max_length=6,
                          props='inputmode=numeric autocomplete=one-time-code', classes='w-full')  # fmt: skip
        demo = ui.label().classes('text-lg text-accent font-bold scc-demo-code').mark('scc-demo-code')
        demo.set_visibility(False)

        async def ask() -> None:
            try:
                request = await call.write(auth.request_code, phone=phone.value or '', client_address=client_address(),
                                           browser_key=str(app.storage.browser.get('id', '')))  # fmt: skip
            except DomainError as error:
                ui.notify(error_text(error), type='negative', multi_line=True)
                return
            ui.notify(_('Code sent. It is valid for 5 minutes.'), type='positive')
            if request.demo_code:
                demo.text = _('Demo mode: your code is {code}', code=request.demo_code)
                demo.set_visibility(True)
            code.run_method('focus')

        async def submit() -> None:
            try:
                actor = await call.io(_verify_code, phone.value or '', code.value or '')
            except DomainError as error:
                ui.notify(error_text(error), type='negative', multi_line=True)
                return
            await enter(actor, '/profile/complete' if actor.person_id is None else _safe_next(next, '/'))

        ui.button(_('Get code'), on_click=ask).props('outline no-caps').classes('w-full scc-ask').mark('scc-ask')
        ui.button(_('Sign in'), on_click=submit).props('unelevated no-caps size=lg').classes('w-full scc-submit').mark(
            'scc-submit'
        )
        code.on('keydown.enter', submit)
        ui.link(_('Staff sign-in'), '/staff/login').classes('mt-4')

    @page('/staff/login', layout='public')
    async def staff_login(next: str = '/staff') -> None:  # noqa: A002
        ui.label(_('Staff sign-in')).classes('text-2xl font-bold')
        username = text_field(_('Username'), 'scc-username', max_length=40, props='autocomplete=username',
                              classes='w-full')  # fmt: skip
        password = text_field(_('Password'), 'scc-password', max_length=200, password=True,
                              props='autocomplete=current-password', classes='w-full')  # fmt: skip

        async def submit() -> None:
            try:
                actor = await call.io(_verify_password, username.value or '', password.value or '', client_address())
            except DomainError as error:
                ui.notify(error_text(error), type='negative', multi_line=True)
                return
            await enter(actor, _safe_next(next, '/staff'))

        password.on('keydown.enter', submit)
        ui.button(_('Sign in'), on_click=submit).props('unelevated no-caps size=lg').classes('w-full scc-submit').mark(
            'scc-submit'
        )
        ui.link(_('Resident sign-in'), '/login').classes('mt-4')

    @app.get('/auth/enter')
    async def enter_session(request: Request, ticket: str = '', next: str = '/') -> RedirectResponse:  # noqa: A002
        """The second step of every sign-in: a one-time ticket becomes the session cookie."""
        opened = await call.write(sessions.redeem_ticket, ticket=ticket[:100])
        if opened is None:
            # Used or expired: fine for a browser already signed in (a reload of this address), else sign in again.
            current = await call.read(sessions.actor_for, token=request.cookies.get(sessions.COOKIE))
            if current is not None:
                return RedirectResponse(_safe_next(next, '/staff' if current.is_staff else '/'), status_code=303)
            return RedirectResponse('/login?expired=1', status_code=303)
        token, actor, max_age = opened
        request.session['id'] = str(uuid.uuid4())  # a new NiceGUI browser id: nothing planted before sign-in carries
        response = RedirectResponse(_safe_next(next, '/staff' if actor.is_staff else '/'), status_code=303)
        response.set_cookie(sessions.COOKIE, token, max_age=max_age, httponly=True, samesite='lax',
                            secure=settings.secure_cookies, path='/')  # fmt: skip
        return response

    @app.get('/logout')
    async def logout(request: Request) -> RedirectResponse:
        """Sign out: the session ends for every open page of this browser, the cookie and the browser id are new."""
        token = request.cookies.get(sessions.COOKIE)
        actor = await call.read(sessions.actor_for, token=token)
        await call.write(sessions.end_session, token=token)
        request.session['id'] = str(uuid.uuid4())
        response = RedirectResponse('/staff/login' if actor is not None and actor.is_staff else '/login',
                                    status_code=303)  # fmt: skip
        response.delete_cookie(sessions.COOKIE, path='/')
        return response

    @page('/profile/complete', roles=(Role.resident,), needs_profile=False)
    async def complete_profile() -> RedirectResponse | None:
        actor = current_actor()
        assert actor is not None
        if actor.person_id is not None:
            return RedirectResponse('/')
        city = current_city()
        ui.label(_('Complete your profile')).classes('text-2xl font-bold')
        ui.label(
            _('Needed once for your health code and reservations. Your ID number is never shown in full.')
        ).classes('text-gray-700')
        name = text_field(_('Real name'), 'scc-name', max_length=40, classes='w-full')
        number = text_field(_('Resident ID number (18 digits)'), 'scc-id', max_length=18, classes='w-full')
        district = (
            ui.select({d.code: d.name(language()) for d in city.districts}, label=_('District'))
            .props('outlined')
            .classes('w-full scc-district')
            .mark('scc-district')
        )

        async def save() -> None:
            result = await call.attempt(people.complete_profile, actor=actor, real_name=name.value or '',
                                        id_number=number.value or '', district=district.value or '')  # fmt: skip
            if result is not None:
                ui.notify(_('Profile saved.'), type='positive')
                ui.navigate.to('/')

        ui.button(_('Save'), on_click=save).props('unelevated no-caps size=lg').classes('w-full scc-save').mark(
            'scc-save'
        )
        return None
