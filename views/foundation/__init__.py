"""The foundation: sign-in, accounts, Home and announcements, Services, Me, the admin pages, /healthz."""

from services.foundation import demo
from views.foundation import admin, audit_log, home, me, services_page, signin, system
from views.kit.modules import Module

mark_started = system.mark_started


MODULE = Module(
    name='foundation',
    parts=(
        admin.register,
        audit_log.register,
        signin.register,
        home.register,
        me.register,
        services_page.register,
        system.register,
    ),
    seed_demo=demo.seed,
)
