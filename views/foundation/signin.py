"""Sign-in pages: residents by phone and one-time code, staff by username and password; the first profile."""

import re

from fastapi.responses import RedirectResponse
from nicegui import app, ui

from models.accounts import Role
from services import db
from services.access import Actor
from services.city import current_city
from services.errors import DomainError
from services.foundation import auth, people
from views.kit import call
from views.kit.fields import text_field
from views.kit.frame import current_actor, page, sign_in, sign_out
from views.kit.i18n import _, error_text, language


def _safe_next(target: str | None, default: str) -> str:
    # Only local paths: an open redirect would let a phishing link borrow our sign-in page.
    # Browsers read '/\\host' like '//host' (another site), and ignore tabs and newlines inside a URL.
    if target and target.startswith('/') and not re.match(r'/[/\\]', target) and target.isprintable():
        return target
    return default


def _verify_code(phone: str, code: str) -> Actor:
    with db.session_scope() as session:
        actor, error = auth.verify_code(session, phone=phone, code=code)
    if error is not None:  # raised after the commit, so that the failed try is counted
        raise error
    assert actor is not None
    return actor


def _verify_password(username: str, password: str) -> Actor:
    with db.session_scope() as session:
        actor, error = auth.password_sign_in(session, username=username, password=password)
    if error is not None:
        raise error
    assert actor is not None
    return actor


def register() -> None:
    @page('/login', layout='public')
    async def resident_login(next: str = '/') -> None:  # noqa: A002 — the query parameter's name
        ui.label(_('Sign in with your phone')).classes('text-2xl font-bold')
        ui.label(_('We send a 6-digit code to your phone.')).classes('text-gray-700')
        phone = text_field(_('Mobile number'), 'scc-phone', max_length=11, props='type=tel inputmode=numeric',
                           classes='w-full')  # fmt: skip
        code = text_field(_('6-digit code'), 'scc-code', max_length=6,
                          props='inputmode=numeric autocomplete=one-time-code', classes='w-full')  # fmt: skip
        demo = ui.label().classes('text-lg text-accent font-bold scc-demo-code').mark('scc-demo-code')
        demo.set_visibility(False)

        async def ask() -> None:
            try:
                request = await call.write(auth.request_code, phone=phone.value or '')
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
            sign_in(actor)
            ui.navigate.to('/profile/complete' if actor.person_id is None else _safe_next(next, '/'))

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
                actor = await call.io(_verify_password, username.value or '', password.value or '')
            except DomainError as error:
                ui.notify(error_text(error), type='negative', multi_line=True)
                return
            sign_in(actor)
            ui.navigate.to(_safe_next(next, '/staff'))

        password.on('keydown.enter', submit)
        ui.button(_('Sign in'), on_click=submit).props('unelevated no-caps size=lg').classes('w-full scc-submit').mark(
            'scc-submit'
        )
        ui.link(_('Resident sign-in'), '/login').classes('mt-4')

    @ui.page('/logout')
    def logout() -> RedirectResponse:
        staff = app.storage.user.get('account_id') is not None and app.storage.user.get('staff', False)
        sign_out()
        return RedirectResponse('/staff/login' if staff else '/login')

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
