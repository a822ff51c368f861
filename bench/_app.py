"""The app as the bench scripts run it: main.py's modules plus the /_bench routes (bench/routes.py).

Production never imports bench/: only this entry point mounts those routes, and only with BENCH_MODE=true.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import main  # noqa: E402
from bench import routes  # noqa: E402

if __name__ in {'__main__', '__mp_main__'}:
    main.build()
    routes.register()
    main.serve()
