"""App processes for tests: free ports, a clean environment, start, wait until healthy, stop."""

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent.parent
START_TIMEOUT_S = 40.0


@dataclass
class LiveApp:
    """The app running in a subprocess for one test."""

    url: str
    port: int
    channel: str
    log_path: Path
    process: subprocess.Popen  # type: ignore[type-arg]

    def log(self) -> str:
        """What the app wrote to stdout and stderr so far."""
        return self.log_path.read_text(errors='replace') if self.log_path.exists() else ''


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(('127.0.0.1', 0))
        return int(sock.getsockname()[1])


def child_environment(**overrides: str) -> dict[str, str]:
    """This process's environment without PYTEST* variables (NiceGUI would think it runs under pytest)."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith('PYTEST')}
    env.update(overrides)
    return env


def stop_process(process: subprocess.Popen, timeout: float = 5.0) -> None:
    """Terminate `process` (by its pid), then kill it if it does not stop in time."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)


def wait_until_healthy(url: str, process: subprocess.Popen, timeout: float = START_TIMEOUT_S) -> None:
    """Wait until GET url/healthz answers 200; raise if the process dies or time runs out."""
    deadline = time.monotonic() + timeout
    last = ''
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f'app exited with code {process.returncode}')
        try:
            response = httpx.get(f'{url}/healthz', timeout=2.0)
            if response.status_code == 200:
                return
            last = f'{response.status_code} {response.text[:200]}'
        except httpx.HTTPError as error:
            last = repr(error)
        time.sleep(0.2)
    raise RuntimeError(f'app not healthy after {timeout:.0f} s: {last}')


def start_app(*, port: int, channel: str, log_path: Path, **env: str) -> LiveApp:
    """Start `main.py` on `port` with this environment (plus `env`); returns at once (see wait_until_healthy)."""
    environment = child_environment(PORT=str(port), HOST='127.0.0.1', EVENT_CHANNEL=channel, PYTHONUNBUFFERED='1',
                                    **env)  # fmt: skip
    with log_path.open('wb') as log_file:
        process = subprocess.Popen([sys.executable, str(ROOT / 'main.py')], cwd=ROOT, env=environment,
                                   stdout=log_file, stderr=subprocess.STDOUT)  # fmt: skip
    return LiveApp(url=f'http://127.0.0.1:{port}', port=port, channel=channel, log_path=log_path, process=process)
