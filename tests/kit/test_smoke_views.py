"""A resident signs in with the demo code and lands on Home; staff sign in with a password."""

import re

from nicegui.testing import User

from services.foundation.demo import DEMO_PASSWORD


async def test_resident_signs_in_with_demo_code(user: User) -> None:
    await user.open('/login')
    user.find(marker='scc-phone').type('13800000001')
    user.find(marker='scc-ask').click()
    await user.should_see(marker='scc-demo-code')  # '演示模式：…' in the default language
    label = user.find(marker='scc-demo-code').elements.pop()
    code = re.search(r'\d{6}', label.text).group(0)  # type: ignore[attr-defined, union-attr]
    user.find(marker='scc-code').type(code)
    user.find(marker='scc-submit').click()
    await user.should_see('城市公告', retries=40)  # 'City announcements'
    await user.should_see('欢迎使用泉城云')  # the default language is Chinese


async def test_staff_signs_in(user: User) -> None:
    await user.open('/staff/login')
    user.find(marker='scc-username').type('admin')
    user.find(marker='scc-password').type(DEMO_PASSWORD)
    user.find(marker='scc-submit').click()
    await user.should_see('欢迎，', retries=40)  # 'Welcome, …' in Chinese; argon2 takes a moment on a busy machine
