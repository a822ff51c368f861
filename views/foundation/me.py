"""The resident's Me page: profile (masked), family members, language, large text, sign out."""

from nicegui import app, ui

from models.accounts import Role
from services.city import current_city
from services.foundation import auth, people
from views.kit import call
from views.kit.actions import ask
from views.kit.fields import text_field
from views.kit.frame import current_actor, page, toggle_language
from views.kit.i18n import _, language


def register() -> None:
    @page('/me', roles=(Role.resident,))
    async def me() -> None:
        actor = current_actor()
        assert actor is not None
        city = current_city()
        districts = {d.code: d.name(language()) for d in city.districts}
        me_person = await call.read(people.my_person, actor=actor)
        ui.label(_('Me')).classes('text-xl font-bold')
        if me_person is not None:
            with ui.card().classes('w-full scc-profile').mark('scc-profile'):
                ui.label(me_person.real_name).classes('text-lg font-bold')
                ui.label(_('ID number: {number}', number=me_person.masked_id_number)).classes('scc-masked-id').mark(
                    'scc-masked-id'
                )
                ui.label(_('District: {district}', district=districts.get(me_person.district, me_person.district)))

        ui.label(_('Family members I manage')).classes('text-lg font-bold')

        @ui.refreshable
        async def family_list() -> None:
            members = await call.read(people.family, actor=actor)
            if not members:
                ui.label(_('Nobody yet. Add an elderly parent or a child without a smartphone.')).classes(
                    'text-gray-600'
                )
            for member in members:
                with (
                    ui.card().classes('w-full scc-family').mark('scc-family'),
                    ui.row().classes('items-center w-full no-wrap'),
                ):
                    with ui.column().classes('gap-0 grow'):
                        ui.label(f'{member.real_name} · {member.relation or ""}').classes('font-bold')
                        ui.label(member.masked_id_number).classes('text-sm text-gray-700')

                    async def remove(person_id: int = member.id, name: str = member.real_name) -> None:
                        question = _('Remove {name} from your family? Their health code stays with them.', name=name)
                        if not await ask(question, yes=_('Remove')):
                            return
                        if await call.attempt(people.remove_family_member, actor=actor, person_id=person_id) is None:
                            return
                        family_list.refresh()

                    label = _('Remove {name}', name=member.real_name)
                    ui.button(icon='delete', on_click=remove).props(f'flat round aria-label="{label}"').tooltip(
                        label
                    ).mark('scc-family-remove')

        await family_list()
        with (
            ui.expansion(_('Add a family member'), icon='person_add')
            .classes('w-full scc-add-family')
            .mark('scc-add-family')
        ):
            name = text_field(_('Real name'), 'scc-family-name', max_length=40, classes='w-full')
            number = text_field(_('Resident ID number (18 digits)'), 'scc-family-id', max_length=18, classes='w-full')
            relation = text_field(_('Relation (e.g. father)'), 'scc-family-relation', max_length=20, classes='w-full')
            district = (
                ui.select(districts, label=_('District'), value=me_person.district if me_person else None)
                .props('outlined')
                .classes('w-full')
                .mark('scc-family-district')
            )

            async def add() -> None:
                added = await call.attempt(people.add_family_member, actor=actor, real_name=name.value or '',
                                           id_number=number.value or '', district=district.value or '',
                                           relation=relation.value or '')  # fmt: skip
                if added is not None:
                    ui.notify(_('Family member added.'), type='positive')
                    name.value = number.value = relation.value = ''
                    family_list.refresh()

            ui.button(_('Add'), on_click=add).props('unelevated no-caps').classes('w-full').mark('scc-family-add')

        ui.label(_('Settings')).classes('text-lg font-bold')
        with ui.card().classes('w-full'):
            ui.button(_('中文 / English'), icon='translate', on_click=toggle_language).props('flat no-caps')

            async def set_large(event) -> None:  # type: ignore[no-untyped-def]
                app.storage.user['large_text'] = bool(event.value)
                await call.write(auth.set_preferences, actor=actor, large_text=bool(event.value))
                ui.navigate.reload()

            ui.switch(_('Large text'), value=actor.large_text, on_change=set_large).classes('scc-large-switch').mark(
                'scc-large-switch'
            )
        ui.button(_('Sign out'), icon='logout', on_click=lambda: ui.navigate.to('/logout')).props(
            'outline no-caps'
        ).classes('w-full')
