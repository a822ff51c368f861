"""Health code (M1): colours from records by published rules, signed codes, checkpoints and passes."""

from services.healthcode.events import CODE_CHANGED, CodeChanged
from services.healthcode.records import current_colour, record_clinic_outcome

__all__ = ['CODE_CHANGED', 'CodeChanged', 'current_colour', 'record_clinic_outcome']
