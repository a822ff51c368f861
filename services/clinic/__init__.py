"""M3 online fever clinic: triage, a live queue with honest waits, doctors' desk, chat, outcomes.

Modules: rules (vocabulary, timings), triage (form, severity), queue (join, leave, duty, presence), calling
("call next"), board (positions, wait estimates, doctors' queue), consult (chat, outcome, records), stats (admin
figures), clinics (offline fever clinics), referral (QR code), events (typed events), demo (demo data).
"""

from services.clinic.events import (
    CHAT_POSTED,
    CONSULT_CHANGED,
    QUEUE_CHANGED,
    ChatPosted,
    ConsultChanged,
    QueueChanged,
)

__all__ = ['CHAT_POSTED', 'CONSULT_CHANGED', 'QUEUE_CHANGED', 'ChatPosted', 'ConsultChanged', 'QueueChanged']
