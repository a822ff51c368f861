"""M3 online fever clinic: triage, a live queue with honest waits, doctors' desk, chat, outcomes.

Modules: rules (vocabulary, timings), triage (form, severity), queue (join, leave, duty, call next, presence),
board (positions, wait estimates, doctors' queue), consult (chat, outcome, records), stats (admin figures),
clinics (offline fever clinics), referral (QR code).
"""

from services.clinic.common import CLINIC_CHAT, CLINIC_CONSULT, CLINIC_QUEUE

__all__ = ['CLINIC_CHAT', 'CLINIC_CONSULT', 'CLINIC_QUEUE']
