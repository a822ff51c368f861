"""The audit log for admins: who did what to whom and when, in the city's time and in words, filtered by who, whom
and what."""

from urllib.parse import urlencode

from nicegui import ui

from models.accounts import Role
from services import audit
from services.errors import N_
from views.kit import call
from views.kit.fields import text_field
from views.kit.fmt import city_time
from views.kit.frame import StaffLink, add_staff_link, page
from views.kit.i18n import _

AUDIT_PAGE = 50
# What each kind of entry means, in words (an unknown kind is shown as it is stored).
KIND_WORDS = {
    'signin': N_('Signed in'), 'signin.failed': N_('Failed sign-in'),
    'login.suspicious': N_('Repeated failed sign-ins'),
    'account.created': N_('Staff account created'), 'account.enabled': N_('Account enabled'),
    'account.disabled': N_('Account disabled'), 'account.wait_lifted': N_('Sign-in wait lifted'),
    'role.changed': N_('Role changed'), 'profile.completed': N_('Profile completed'),
    'family.added': N_('Family member added'), 'family.removed': N_('Family member removed'),
    'notice.posted': N_('Announcement posted'), 'person.read': N_('Person looked up'),
    'checkpoint.verify': N_('Code verified at a checkpoint'), 'healthcode.changed': N_('Health code changed'),
    'healthcode.change_requested': N_('Colour change requested'),
    'healthcode.change_approved': N_('Colour change approved'),
    'healthcode.change_rejected': N_('Colour change rejected'), 'healthcode.decide': N_('Health code decided'),
    'healthcode.checkpoint_mode': N_('Checkpoint mode changed'), 'healthcode.key_rotated': N_('Signing key rotated'),
    'healthcode.key_revoked': N_('Signing key revoked'), 'healthcode.paper_issued': N_('Paper code issued'),
    'healthcode.paper_revoked': N_('Paper code revoked'), 'healthcode.passes_purged': N_('Old pass records deleted'),
    'store.saved': N_('Store saved'), 'store.staff_added': N_('Pharmacist added to a store'),
    'store.staff_removed': N_('Pharmacist removed from a store'), 'item.saved': N_('Item saved'),
    'reservation.picked_up': N_('Reservation handed over'), 'clinic.started': N_('Consultation started'),
    'clinic.read': N_('Consultation read'), 'clinic.outcome': N_('Consultation outcome'),
    'show.created': N_('Show created'), 'show.edited': N_('Show edited'), 'show.poster': N_('Poster uploaded'),
    'show.live': N_('Show went live'), 'show.ended': N_('Show ended'), 'show.postponed': N_('Show postponed'),
    'show.cancelled': N_('Show cancelled'), 'show.replay': N_('Replay published'),
    'show.starting_soon': N_('Show starting soon'), 'show.banner_raised': N_('Difficulties banner shown'),
    'show.banner_cleared': N_('Difficulties banner removed'), 'show.comment_hidden': N_('Comment hidden'),
    'show.organizer_added': N_('Co-organizer added'), 'show.organizer_removed': N_('Co-organizer removed'),
}  # fmt: skip


def kind_words(kind: str) -> str:
    """An entry's kind in the reader's language."""
    words = KIND_WORDS.get(kind)
    return _(words) if words else kind


def register() -> None:
    """The audit log page and its menu entry."""
    add_staff_link(StaffLink('/admin/audit', N_('Audit log'), 'policy', (Role.admin,)))

    @page('/admin/audit', roles=(Role.admin,), layout='staff')
    async def audit_page(page_number: int = 1, actor: str = '', subject: str = '', kind: str = '',
                         action: str = '') -> None:  # fmt: skip
        kind = kind or action  # the older name of the filter
        page_number = max(page_number, 1)
        entries = await call.read(audit.search, actor=actor, subject=subject, kind=kind, limit=AUDIT_PAGE + 1,
                                  offset=(page_number - 1) * AUDIT_PAGE)  # fmt: skip
        kinds = await call.read(audit.kinds)
        ui.label(_('Audit log')).classes('text-2xl font-bold')
        with ui.row().classes('w-full items-end gap-2 scc-audit-filters'):
            who = text_field(_('Who'), 'scc-audit-actor', max_length=60, dense=True, classes='w-40')
            whom = text_field(_('Whom'), 'scc-audit-subject', max_length=40, dense=True, classes='w-40')
            whom.props(f'hint="{_("person:12 or 12")}"')
            what = ui.select({'': _('All kinds'), **{k: kind_words(k) for k in kinds}}, label=_('What'),
                             value=kind if kind in kinds else '').props('outlined dense').classes('w-56')  # fmt: skip
            what.mark('scc-audit-kind')
            who.value, whom.value = actor, subject

            def filtered() -> None:
                query = {'actor': who.value or '', 'subject': whom.value or '', 'kind': what.value or ''}
                ui.navigate.to(f'/admin/audit?{urlencode({k: v for k, v in query.items() if v})}')

            ui.button(_('Filter'), icon='filter_alt', on_click=filtered).props('unelevated no-caps').mark(
                'scc-audit-filter'
            )
        columns = [{'name': n, 'label': _(label), 'field': n, 'align': 'left'}
                   for n, label in (('at', N_('When')), ('actor', N_('Who')), ('action', N_('What')),
                                    ('target', N_('Whom')), ('detail', N_('Detail')))]  # fmt: skip
        rows = [{'at': city_time(e.at, '%Y-%m-%d %H:%M:%S'), 'actor': e.actor_label, 'action': kind_words(e.action),
                 'target': e.target, 'detail': e.detail} for e in entries[:AUDIT_PAGE]]  # fmt: skip
        # On a phone each entry is a card (Quasar's grid mode): no table wider than the screen to scroll sideways.
        ui.table(columns=columns, rows=rows).classes('w-full scc-audit').mark('scc-audit').props(
            'dense flat wrap-cells :grid="window.innerWidth < 1024"'
        )
        filters = {k: v for k, v in {'actor': actor, 'subject': subject, 'kind': kind}.items() if v}
        with ui.row():
            if page_number > 1:
                ui.link(_('Newer'), f'/admin/audit?{urlencode({**filters, "page_number": page_number - 1})}')
            if len(entries) > AUDIT_PAGE:
                ui.link(_('Older'), f'/admin/audit?{urlencode({**filters, "page_number": page_number + 1})}')
