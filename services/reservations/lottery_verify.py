"""Re-run a lottery draw from its public record and check it.

    python -m services.reservations.lottery_verify record.json
    python -m services.reservations.lottery_verify http://host:8080/api/reservations/lottery/12.json

The record is what `/api/reservations/lottery/<slot id>.json` publishes. Exit status 0 when the revealed seed
matches the hash published before the draw and the recomputed winners equal the published ones, else 1.
"""

import json
import sys
import urllib.request
from pathlib import Path
from typing import Any

from services.reservations.lottery import seed_hash, winners


def verify(record: dict[str, Any]) -> list[str]:
    """Problems found in a drawn lottery's record (empty: it checks out)."""
    if 'seed' not in record:
        return ['the seed has not been revealed yet (the draw has not taken place)']
    problems = []
    if seed_hash(record['seed']) != record['seed_hash']:
        problems.append('sha256(seed) does not match the published hash')
    applications = [(int(a['id']), int(a['quantity'])) for a in record['applications']]
    expected = winners(record['seed'], applications, int(record['stock']))
    if sorted(int(w) for w in record['winners']) != expected:
        problems.append(f'winners differ: recomputed {expected}, published {sorted(record["winners"])}')
    return problems


def load(source: str) -> dict[str, Any]:
    """A record from a file path or an http(s) URL."""
    if source.startswith(('http://', 'https://')):
        with urllib.request.urlopen(source, timeout=10) as response:  # noqa: S310 — the user names the URL
            record: dict[str, Any] = json.loads(response.read())
            return record
    record = json.loads(Path(source).read_text(encoding='utf-8'))
    return record


def main(argv: list[str]) -> int:
    """Check the record named by the one argument; prints the verdict, returns the exit status."""
    if len(argv) != 1:
        print(__doc__)
        return 2
    record = load(argv[0])
    problems = verify(record)
    for problem in problems:
        print('FAIL:', problem)
    if not problems:
        print(
            f'OK: slot {record["slot_id"]}: seed matches hash {record["seed_hash"][:16]}…, '
            f'{len(record["winners"])} winners of {len(record["applications"])} applications recomputed'
        )
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
