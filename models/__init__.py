"""Tables and schemas, one file per module. Importing this package registers every table with SQLModel's metadata
(for migrations and tests); a new module adds its file to this list."""

from models import accounts, clinic, common, healthcode, notices, reservations, sessions, shows

__all__ = ['accounts', 'clinic', 'common', 'healthcode', 'notices', 'reservations', 'sessions', 'shows']
