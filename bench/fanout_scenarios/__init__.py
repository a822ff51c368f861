"""Fan-out scenarios for bench/fanout.py, listed here in the order they run (see README.md in this folder)."""

from types import ModuleType

from bench.fanout_scenarios import comment, golive, healthcode, notice, queue, stock

SCENARIOS: dict[str, ModuleType] = {
    'notice': notice,
    'healthcode': healthcode,
    'stock': stock,
    'queue': queue,
    'golive': golive,
    'comment': comment,
}
