"""The health code in a real browser: a green code on a phone passes a checkpoint (keyboard input); an admin marks
the resident a close contact; the open code screen turns red without reload; a fresh token now gets STOP."""

import json
from datetime import date
from typing import Any

import httpx
import pytest

from tests.support.actors import demo_id_number
from tests.support.browser import LiveApp, desktop_page, phone_page, screenshot, sign_in_resident, sign_in_staff

pytestmark = pytest.mark.browser
ZHANG_WEI = demo_id_number('370102', date(1985, 3, 14), '123')  # demo resident 13800000001


def scan(checkpoint: Any, token: str, temperature: str = '36.5') -> str:
    """Type a code into the checkpoint's scanner input like a hardware scanner (Enter) and read the verdict (with a
    normal reading: a 'scan + temperature' gate takes one with every scan)."""
    overlay = checkpoint.locator('.scc-verdict')
    if overlay.count() and overlay.first.is_visible():
        overlay.first.click()
        overlay.first.wait_for(state='hidden')
    if temperature:
        checkpoint.locator('.scc-temperature input').fill(temperature)
    field = checkpoint.locator('.scc-scanner-input input')
    field.fill(token)
    field.press('Enter')
    checkpoint.locator('.scc-verdict').wait_for(state='visible')
    return checkpoint.locator('.scc-verdict').inner_text()


def test_green_code_passes_then_turns_red_live_and_stops(browser: Any, live_app: LiveApp) -> None:
    resident, gate, admin = phone_page(browser), phone_page(browser), desktop_page(browser)
    try:
        keyset = httpx.get(f'{live_app.url}/.well-known/scc-keys.json').json()
        assert keyset['keys'] and all(set(k) >= {'kid', 'x', 'status'} for k in keyset['keys'])
        assert 'private' not in json.dumps(keyset)

        sign_in_resident(resident, live_app.url, '13800000001')
        resident.goto(f'{live_app.url}/code')
        resident.locator('.scc-code-green').wait_for()
        assert '绿码' in resident.locator('.scc-colour-word').inner_text()
        assert resident.evaluate('document.documentElement.scrollWidth') <= 360
        resident.wait_for_function("/\\d\\d:\\d\\d:\\d\\d/.test(document.querySelector('.scc-clock').innerText)")
        resident.evaluate('window.sccNoReload = true')
        token = resident.locator('.scc-token').text_content() or ''
        assert token.startswith('SCC1:')
        screenshot(resident, 'healthcode-green')

        sign_in_staff(gate, live_app.url, 'gate1')
        gate.goto(f'{live_app.url}/checkpoint')
        gate.locator('.q-card').first.click()
        gate.locator('.scc-scanner-input input').wait_for()
        assert '通行' in scan(gate, token, '36.5')
        assert '张*' in gate.locator('.scc-verdict-name').inner_text()
        screenshot(gate, 'healthcode-checkpoint-pass')

        sign_in_staff(admin, live_app.url, 'admin')
        admin.goto(f'{live_app.url}/admin/healthcode')
        admin.locator('.scc-admin-ids textarea').fill(ZHANG_WEI)
        admin.locator('.scc-admin-reason input').fill('与确诊病例同乘 K51 次列车')
        admin.locator('.scc-admin-apply').click()
        # Pushed, not polled: the screen turns red well before its own 30 s refresh could bring the new colour.
        resident.locator('.scc-code-red').wait_for(timeout=5000)
        assert resident.evaluate('window.sccNoReload') is True
        assert '红码' in resident.locator('.scc-colour-word').inner_text()
        resident.get_by_text('与确诊病例同乘 K51 次列车').first.wait_for()
        screenshot(resident, 'healthcode-red')

        resident.wait_for_function(f"document.querySelector('.scc-token').textContent !== {json.dumps(token)}")
        resident.locator('.scc-reason-note').first.wait_for()  # the full explanation follows the instant flip
        fresh = resident.locator('.scc-token').text_content() or ''
        assert fresh.startswith('SCC1:') and fresh != token
        verdict = scan(gate, fresh)
        assert '禁止通行' in verdict
        assert '红码' in gate.locator('.scc-verdict-colour').inner_text()
        old = scan(gate, token)  # the green token from before: refused as stale colour (or expired)
        assert '禁止通行' in old
    finally:
        for page in (resident, gate, admin):
            page.context.close()


def test_i_passed_start_camera_warns_instead_of_failing(browser: Any, live_app: LiveApp) -> None:
    resident = phone_page(browser)
    errors: list[str] = []
    resident.on('pageerror', lambda error: errors.append(str(error)))
    resident.on('console', lambda msg: errors.append(msg.text) if msg.type == 'error' else None)
    try:
        sign_in_resident(resident, live_app.url, '13800000001')
        resident.goto(f'{live_app.url}/code')
        resident.locator('.scc-code-green').wait_for()
        resident.locator('.scc-i-passed').click()
        resident.locator('.q-dialog').get_by_text('打开摄像头').click()
        resident.locator('.q-notification').first.wait_for()
        assert '摄像头' in resident.locator('.q-notification').first.inner_text()
        assert not errors, errors
    finally:
        resident.context.close()
