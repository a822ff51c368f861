"""What /healthz reports: version, database and event bus. Never raises: a broken part is reported as not ok."""

import logging
import time
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from services import db
from services.events import bus

log = logging.getLogger(__name__)


def app_version() -> str:
    """The installed package version, or the one in pyproject.toml."""
    try:
        return version('spring-city-cloud')
    except PackageNotFoundError:
        import tomllib

        from services.settings import ROOT

        return str(tomllib.loads((ROOT / 'pyproject.toml').read_text())['project']['version'])


def _version() -> str:
    try:
        return app_version()
    except Exception:
        return 'unknown'


def _database() -> dict[str, Any]:
    # Only the error's type is shown: /healthz is public, and a message may name hosts or users.
    try:
        dialect = db.dialect()
    except Exception as error:
        log.warning('health: no database engine: %s', error)
        return {'dialect': 'unknown', 'ok': False, 'error': type(error).__name__}
    start = time.perf_counter()
    ok = db.ping()
    return {'dialect': dialect, 'ok': ok, 'latency_ms': round((time.perf_counter() - start) * 1000, 1)}


def _events() -> dict[str, Any]:
    try:
        return bus.status()
    except Exception as error:
        log.warning('health: event bus status failed: %s', error)
        return {'transport': 'unknown', 'ok': False, 'error': type(error).__name__}


def report() -> dict[str, Any]:
    """Health of every part; `ok` is false when any part is down."""
    database = _database()
    events = _events()
    return {'ok': bool(database['ok'] and events['ok']), 'version': _version(), 'database': database,
            'events': events}  # fmt: skip
