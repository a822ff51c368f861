"""Tables and schemas. Importing this package registers every table with SQLModel's metadata."""

import importlib
import pkgutil

# Each module of the product owns one file here; import them all so that metadata is complete
# for migrations and tests without a hand-kept list that parallel work would fight over.
for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f'{__name__}.{_module.name}')
