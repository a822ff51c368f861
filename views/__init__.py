"""Pages. Every module here with a `register()` function adds its pages when the app starts."""

import importlib
import pkgutil


def register_all() -> None:
    """Import every views module and call its register() (the shared frame first)."""
    names = sorted(m.name for m in pkgutil.iter_modules(__path__))
    for name in names:
        module = importlib.import_module(f'{__name__}.{name}')
        register = getattr(module, 'register', None)
        if callable(register):
            register()
