"""Health code (M1): colours from records by published rules, signed codes, checkpoints and passes."""

from services.healthcode.records import CHANGED, current_colour, record_clinic_outcome

__all__ = ['CHANGED', 'current_colour', 'record_clinic_outcome']
