"""What /healthz reports: version, database and event bus."""

from importlib.metadata import PackageNotFoundError, version
from typing import Any

from services import db
from services.events import bus


def app_version() -> str:
    """The installed package version, or the one in pyproject.toml."""
    try:
        return version('spring-city-cloud')
    except PackageNotFoundError:
        import tomllib

        from services.settings import ROOT

        return str(tomllib.loads((ROOT / 'pyproject.toml').read_text())['project']['version'])


def report() -> dict[str, Any]:
    """Health of every part; `ok` is false when any part is down."""
    database = {'dialect': db.dialect(), 'ok': db.ping()}
    events = bus.status()
    return {'ok': database['ok'] and events['ok'], 'version': app_version(), 'database': database, 'events': events}
