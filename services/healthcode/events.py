"""Events of the health code: names and typed payloads."""

from services.events import EventType, Payload


class CodeChanged(Payload):
    """A person's colour changed (key: the person's subject id, the only id a code screen knows)."""

    colour: str  # 'green' | 'yellow' | 'red'
    person_id: int
    note: str = ''
    changed_together: int = 1  # how many people's colours changed in the same transaction (a mass change if many)


class PassRecorded(Payload):
    """A check was recorded at a checkpoint (key: the checkpoint's id)."""

    checkpoint_id: int
    result: str  # 'pass' | 'stop'


class KeysChanged(Payload):
    """A signing key was rotated in or revoked (key: that key's id); every process reloads its key ring."""

    kid: str
    revoked: bool = False


CODE_CHANGED = EventType('healthcode.changed', CodeChanged)
PASS_RECORDED = EventType('healthcode.pass', PassRecorded)
KEYS_CHANGED = EventType('healthcode.keys_changed', KeysChanged)
