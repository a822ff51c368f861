"""Start-up: migrations first, then the modules' start-up work and jobs; a start-up that fails stops the process with
a clear message instead of serving half started."""

import uuid
from pathlib import Path

from tests.support.processes import free_port, start_app
from tests.support.waits import wait_for_sync


def test_a_failed_start_up_stops_the_process_with_a_clear_message(tmp_path: Path) -> None:
    nowhere = f'postgresql://postgres@127.0.0.1:{free_port()}/test'  # nothing listens there: migrations fail
    app = start_app(port=free_port(), channel=f'scc:test:{uuid.uuid4().hex[:8]}', log_path=tmp_path / 'app.log',
                    DATABASE_URL=nowhere, DATA_DIR=str(tmp_path), GC_FREEZE='false')  # fmt: skip
    try:
        wait_for_sync(lambda: app.process.poll() is not None, timeout=60)
    finally:
        if app.process.poll() is None:
            app.process.kill()
    assert app.process.returncode not in (0, None)
    assert 'start-up failed, stopping' in app.log()
