"""Form fields as every page builds them: outlined, a length limit the browser enforces, and one name that is both
the CSS class (browser tests) and the marker (simulated-user tests)."""

from nicegui import ui


def text_field(label: str, name: str, *, max_length: int, password: bool = False, dense: bool = False,
               props: str = '', classes: str = '') -> ui.input:  # fmt: skip
    """A one-line text input called `name` (class and marker), at most `max_length` characters; `props` adds
    Quasar properties (`type=tel inputmode=numeric`, `autocomplete=...`)."""
    field = ui.input(label, password=password).props(f'outlined maxlength={max_length} {props}'.strip())
    if dense:
        field.props('dense')
    return field.classes(f'{name} {classes}'.strip()).mark(name)


def text_area(label: str, name: str, *, max_length: int, classes: str = '') -> ui.textarea:
    """A multi-line text input called `name` (class and marker), at most `max_length` characters."""
    field = ui.textarea(label).props(f'outlined maxlength={max_length}')
    return field.classes(f'{name} {classes}'.strip()).mark(name)
