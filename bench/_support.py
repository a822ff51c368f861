"""Shared by the bench scripts: a throw-away database, the app in a subprocess, memory and percentiles."""

import json
import math
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@dataclass
class Server:
    """A server process started by a bench script."""

    name: str
    url: str
    process: subprocess.Popen
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def rss_kb(self) -> int:
        """Resident memory of the server process now (VmRSS from /proc/<pid>/status)."""
        return rss_kb(self.pid)

    def log_tail(self, chars: int = 4000) -> str:
        """The end of what the server wrote."""
        return self.log_path.read_text(errors='replace')[-chars:] if self.log_path.exists() else ''


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(('127.0.0.1', 0))
        return int(sock.getsockname()[1])


def rss_kb(pid: int) -> int:
    """VmRSS of a process in KB."""
    for line in Path(f'/proc/{pid}/status').read_text().splitlines():
        if line.startswith('VmRSS:'):
            return int(line.split()[1])
    raise RuntimeError(f'no VmRSS for pid {pid}')


def child_environment(**overrides: str) -> dict[str, str]:
    """The environment for a server: ours without PYTEST* variables, plus `overrides`."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith('PYTEST')}
    env.update(overrides)
    return env


def start_server(name: str, script: Path, env: dict[str, str], port: int, workdir: Path,
                 timeout: float = 60.0) -> Server:  # fmt: skip
    """Start `script` with `env` on `port` and wait until /healthz answers 200."""
    log_path = workdir / f'{name}.log'
    with log_path.open('wb') as log_file:
        process = subprocess.Popen([sys.executable, str(script)], cwd=ROOT, env=env, stdout=log_file,
                                   stderr=subprocess.STDOUT)  # fmt: skip
    server = Server(name=name, url=f'http://127.0.0.1:{port}', process=process, log_path=log_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f'{name} exited with code {process.returncode}:\n{server.log_tail()}')
        try:
            if httpx.get(f'{server.url}/healthz', timeout=2.0).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    stop_server(server)
    raise RuntimeError(f'{name} not healthy after {timeout:.0f} s:\n{server.log_tail()}')


def stop_server(server: Server | None) -> None:
    """Stop a server by its pid: terminate, then kill if it lingers."""
    if server is None or server.process.poll() is not None:
        return
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=10)


@contextmanager
def bench_workdir(prefix: str) -> Iterator[Path]:
    """A temporary folder for databases and logs, removed at the end."""
    with tempfile.TemporaryDirectory(prefix=prefix) as folder:
        yield Path(folder)


def prepare_database(workdir: Path) -> str:
    """A fresh SQLite database in `workdir`, migrated and seeded with the demo city; returns its URL."""
    from services import db

    url = f'sqlite:///{workdir / "bench.db"}'
    db.configure(url)
    seed_configured_database()
    return url


def seed_configured_database() -> None:
    """Migrate the database services.db is configured with and seed the demo city (every module of main.MODULES)."""
    from main import MODULES
    from services import bootstrap
    from services.settings import settings
    from views.kit.modules import demo_seeders

    settings.seed_demo = True
    settings.demo_mode = True
    bootstrap.prepare_database(demo_seeders(MODULES))


def app_environment(database_url: str, port: int, workdir: Path, **extra: str) -> dict[str, str]:
    """The app's environment for a bench run: bench mode, the throw-away database, no Redis."""
    return child_environment(
        DATABASE_URL=database_url, PORT=str(port), HOST='127.0.0.1', BENCH_MODE='true', SEED_DEMO='true',
        DEMO_MODE='true', REDIS_URL='', DATA_DIR=str(workdir / 'data'), PYTHONUNBUFFERED='1', **extra,
    )  # fmt: skip


def percentile(values: list[float], fraction: float) -> float:
    """The `fraction` percentile (nearest rank) of `values`; 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))
    return ordered[index]


def machine() -> dict[str, Any]:
    """Cores, memory and CPU model, for the record."""
    model = ''
    for line in Path('/proc/cpuinfo').read_text().splitlines():
        if line.startswith('model name'):
            model = line.split(':', 1)[1].strip()
            break
    mem_kb = 0
    for line in Path('/proc/meminfo').read_text().splitlines():
        if line.startswith('MemTotal:'):
            mem_kb = int(line.split()[1])
    return {'cores': os.cpu_count(), 'mem_gb': round(mem_kb / 1024 / 1024, 1), 'cpu': model}


def emit(result: dict[str, Any]) -> None:
    """Print the result as one JSON line (the last line of a bench script's output)."""
    print(json.dumps(result, ensure_ascii=False), flush=True)
