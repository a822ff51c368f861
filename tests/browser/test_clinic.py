"""The fever clinic in a real browser, two people at once: a resident on a phone joins the queue, the doctor at a
desktop sees them live (pushed by the event, no reload), calls them, they chat both ways, the doctor decides on home
isolation, and the resident sees the record and their health code turn yellow, all without reloading a page."""

import re
from typing import Any

import pytest

from services import db
from services.healthcode import current_colour
from tests.support.actors import actor
from tests.support.browser import LiveApp, desktop_page, phone_page, screenshot, sign_in_resident, sign_in_staff
from tests.support.clinic import RESIDENTS

pytestmark = pytest.mark.browser


def test_resident_and_doctor_through_a_whole_consultation(browser: Any, live_app: LiveApp) -> None:
    doctor = desktop_page(browser)
    resident = phone_page(browser)
    try:
        sign_in_staff(doctor, live_app.url, 'doctor1')
        doctor.goto(f'{live_app.url}/clinic/desk')
        doctor.locator('.scc-duty').click()
        doctor.locator('.scc-duty[aria-checked="true"]').wait_for()
        doctor.evaluate('window.sccNoReload = true')

        sign_in_resident(resident, live_app.url, RESIDENTS[0])
        code_page = resident.context.new_page()  # the resident's health code, open in a second tab
        code_page.goto(f'{live_app.url}/code')
        code_page.locator('.scc-code-green').wait_for()
        code_page.evaluate('window.sccNoReload = true')

        resident.goto(f'{live_app.url}/clinic')
        resident.locator('.scc-temperature input').fill('38.4')
        resident.locator('.scc-symptom-cough').click()
        resident.locator('.scc-symptom-fatigue').click()
        resident.locator('.scc-join').click()
        doctor.locator('.scc-queue-patient', has_text='张*').wait_for(timeout=5000)
        assert doctor.evaluate('window.sccNoReload') is True  # the desk was told by the event, not reloaded
        resident.wait_for_url(re.compile(r'.*/clinic/c/\d+$'))
        resident.locator('.scc-place').wait_for()
        resident.evaluate('window.sccNoReload = true')
        assert '1' in resident.locator('.scc-place').inner_text()
        resident.locator('.scc-few').wait_for()  # three or fewer ahead: told to stay
        screenshot(resident, 'clinic-resident-waiting')
        screenshot(doctor, 'clinic-doctor-desk')

        doctor.locator('.scc-call-next').click()
        doctor.wait_for_url(re.compile(r'.*/clinic/desk/c/\d+$'))
        resident.locator('.scc-chat-input').wait_for()  # the resident's page moved on by itself
        assert 'Dr Li' in resident.locator('.scc-doctor-name').inner_text()

        resident.locator('.scc-chat-input input').fill('从昨天开始发烧 <b>hot</b>')
        resident.locator('.scc-chat-input input').press('Enter')
        doctor.locator('.scc-chat-body', has_text='从昨天开始发烧 <b>hot</b>').wait_for(timeout=3000)
        assert doctor.locator('.scc-chat-body b').count() == 0  # shown as text, not as markup
        doctor.locator('.scc-chat-input input').fill('请居家隔离，注意观察。')
        doctor.locator('.scc-chat-send').click()
        resident.locator('.scc-chat-body', has_text='请居家隔离，注意观察。').wait_for(timeout=3000)
        assert resident.locator('.scc-chat-body').all_inner_texts() == [
            '从昨天开始发烧 <b>hot</b>',
            '请居家隔离，注意观察。',
        ]
        screenshot(resident, 'clinic-resident-chat')
        screenshot(doctor, 'clinic-doctor-room')

        doctor.locator('.scc-outcome-choice').get_by_text('居家隔离观察').click()
        doctor.locator('.scc-template-isolate').click()
        doctor.locator('.scc-finish').click()
        doctor.wait_for_url(re.compile(r'.*/clinic/desk$'))

        resident.locator('.scc-record').wait_for(timeout=3000)
        assert resident.locator('.scc-outcome').inner_text() == '居家隔离观察'
        assert '黄码' in resident.locator('.scc-outcome-rule').inner_text()  # the rule is shown to the resident
        assert '14' in resident.locator('.scc-advice').inner_text()  # the template's text
        resident.locator('.scc-code-colour.colour-yellow').wait_for(timeout=3000)
        code_page.locator('.scc-code-yellow').wait_for(timeout=3000)  # M1's /code page turned yellow by itself
        assert resident.evaluate('window.sccNoReload') is True
        assert code_page.evaluate('window.sccNoReload') is True
        with db.read_session() as session:
            assert current_colour(session, person_id=actor(phone=RESIDENTS[0]).person_id or 0) == 'yellow'
        screenshot(resident, 'clinic-resident-record')
        assert resident.evaluate('document.documentElement.scrollWidth') <= 360  # fits a 360 px phone

        resident.goto(f'{live_app.url}/clinic/records')
        resident.locator('.scc-consult-card', has_text='居家隔离观察').wait_for()

        sign_in_staff(doctor, live_app.url, 'admin')  # the clinic admin's live figures
        doctor.goto(f'{live_app.url}/clinic/admin')
        assert doctor.locator('.scc-stat-waiting').inner_text() == '0'
        doctor.locator('.scc-doctor-rates').wait_for()
        screenshot(doctor, 'clinic-admin')
    finally:
        resident.context.close()
        doctor.context.close()
