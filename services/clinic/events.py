"""Events of the fever clinic: names and typed payloads (published after commit)."""

from typing import Literal

from models.clinic import ClinicMessagePublic, ConsultStatus
from services.events import EventType, Payload

QueueReason = Literal['joined', 'red_flag', 'called', 'left', 'dropped', 'worse', 'done', 'duty']
ConsultReason = Literal['called', 'left', 'dropped', 'ask', 'answered', 'done']


class QueueChanged(Payload):
    """The waiting queue changed (no key: the board, every desk and the admin figures follow it)."""

    reason: QueueReason
    consultation_id: int | None = None  # the one that joined, left, was called...; None for duty changes and drops
    severity: int | None = None  # for 'joined' and 'red_flag': the triage score
    ids: tuple[int, ...] = ()  # for 'dropped': every consultation dropped in one sweep


class ConsultChanged(Payload):
    """One consultation changed state (key: the consultation id)."""

    reason: ConsultReason
    status: ConsultStatus


class ChatPosted(Payload):
    """A chat message was stored (key: the consultation id)."""

    message: ClinicMessagePublic


QUEUE_CHANGED = EventType('clinic.queue', QueueChanged)
CONSULT_CHANGED = EventType('clinic.consult', ConsultChanged)
CHAT_POSTED = EventType('clinic.chat', ChatPosted)
