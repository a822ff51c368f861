"""Paper codes for family members without a phone (signed, 30 days, revocable, 'check ID card'), and the daily
self-declaration."""

from nicegui import ui

from models.accounts import Role
from services.errors import N_, DomainError
from services.foundation import people
from services.healthcode import codes, records
from views.kit import call
from views.kit.fmt import city_time
from views.kit.frame import current_actor, page
from views.kit.i18n import _, error_text
from views.kit.qr import qr_code

SYMPTOM_LABEL = {'fever': N_('Fever'), 'cough': N_('Cough'), 'fatigue': N_('Fatigue'),
                 'sore_throat': N_('Sore throat'), 'loss_of_smell': N_('Loss of smell')}  # fmt: skip


def register() -> None:
    @page('/code/paper', roles=(Role.resident,))
    async def paper_page() -> None:
        actor = current_actor()
        assert actor is not None
        family = await call.read(people.family, actor=actor)
        ui.label(_('Paper codes')).classes('text-xl font-bold print:hidden')
        ui.label(_('For a family member without a phone: valid 30 days, staff check the ID card. Revoke a lost one.')
                 ).classes('text-sm print:hidden')  # fmt: skip
        if not family:
            ui.label(_('Add family members on the Me page first.')).classes('text-gray-700')
            return
        sheet = ui.column().classes('w-full items-center')

        @ui.refreshable
        async def listing() -> None:
            for member in family:
                items = await call.read(codes.paper_codes, actor=actor, person_id=member.id)
                with ui.card().classes('w-full gap-1 print:hidden'):
                    ui.label(f'{member.relation or ""} {member.masked_name}').classes('font-bold')
                    for item in items:
                        state = (
                            _('revoked') if item.revoked else _('valid until {date}', date=city_time(item.expires_at))
                        )
                        with ui.row().classes('items-center gap-2'):
                            ui.label(f'#{item.id} · {state}').classes('text-sm').mark('scc-paper-item')
                            if not item.revoked:

                                async def revoke(paper_id: int = item.id) -> None:
                                    await call.attempt(codes.revoke_paper_code, actor=actor, paper_id=paper_id)
                                    await listing.refresh()

                                ui.button(_('Revoke'), on_click=revoke).props('flat dense no-caps color=negative')

                    async def issue(person_id: int = member.id) -> None:
                        paper = await call.attempt(codes.issue_paper_code, actor=actor, person_id=person_id)
                        if paper is None:
                            return
                        sheet.clear()
                        with sheet, ui.card().classes('w-full max-w-[400px] items-center gap-2 border-2 border-black'):
                            ui.label(_('Spring City Cloud health pass (paper)')).classes('text-lg font-bold')
                            ui.label(paper.masked_name).classes('text-2xl')
                            qr_code(paper.token, label=_('Paper health code'), classes='w-full max-w-[300px]')
                            ui.label(_('CHECK ID CARD')).classes('text-3xl font-black').mark('scc-paper-check-id')
                            short = f'{paper.short_code[:5]} {paper.short_code[5:]}'
                            ui.label(_('Code to type: {code}', code=short)).classes(
                                'text-2xl font-mono font-bold scc-paper-short').mark('scc-paper-short')  # fmt: skip
                            ui.label(_('Valid until {date} · No. {id}', date=city_time(paper.expires_at), id=paper.id))
                            ui.button(_('Print'), icon='print', on_click=lambda: ui.run_javascript('window.print()')
                                      ).props('outline no-caps').classes('print:hidden')  # fmt: skip
                        await listing.refresh()

                    ui.button(_('Issue a paper code'), on_click=issue).props('unelevated no-caps').mark(
                        'scc-paper-issue'
                    )

        await listing()

    @page('/code/declare', roles=(Role.resident,))
    async def declare_page() -> None:
        actor = current_actor()
        assert actor is not None
        ui.label(_('Daily health declaration')).classes('text-xl font-bold')
        ui.label(_('Declaring symptoms gives a yellow code until a negative test. Not declaring changes nothing.')
                 ).classes('text-sm')  # fmt: skip
        boxes = {key: ui.checkbox(_(label)) for key, label in SYMPTOM_LABEL.items()}
        contact = ui.checkbox(_('Contact with a confirmed case'))
        risk = ui.checkbox(_('Arrived from a risk area in the last 7 days'))

        async def submit() -> None:
            chosen = [k for k, box in boxes.items() if box.value]
            try:
                await call.write(records.declare, actor=actor, symptoms=chosen, contact=contact.value,
                                 risk_area=risk.value)  # fmt: skip
            except DomainError as error:
                ui.notify(error_text(error), type='negative')
            else:
                ui.notify(_('Declaration recorded.'), type='positive')
                ui.navigate.to('/code')

        ui.button(_('Submit declaration'), on_click=submit).props('unelevated no-caps').classes('w-full')
