"""The triage form: validation with clear reasons, and a severity score from 0 to 10."""

import math
from dataclasses import dataclass
from datetime import date, timedelta

from models.clinic import ClinicConsultationCreate
from services.clinic import rules
from services.errors import N_, DomainError
from services.validation import clean_text

# The refusals that concern one answer of the form (the form shows them under that field).
NO_TEMPERATURE = N_('Please enter your temperature.')
BAD_TEMPERATURE = N_('A body temperature is between {low} and {high} °C; please measure again.')
NO_ONSET = N_('Please enter the date your symptoms started.')
FUTURE_ONSET = N_('The date symptoms started cannot be in the future.')
OLD_ONSET = N_('Symptoms that started more than {days} days ago need an ordinary clinic visit.')


@dataclass(frozen=True)
class Triage:
    """A validated triage form."""

    temperature: float
    symptoms: tuple[str, ...]
    onset_date: date
    exposure: bool
    travel: bool
    travel_detail: str
    red_flags: tuple[str, ...]
    spo2: int | None
    chronic: tuple[str, ...]

    @property
    def has_red_flag(self) -> bool:
        """Whether any danger sign was given."""
        return bool(self.red_flags)


def _codes(values: list[str], allowed: dict[str, str]) -> tuple[str, ...]:
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise DomainError(N_('Please choose from the list only.'))
    return tuple(code for code in allowed if code in values)  # stable order, no duplicates


def validate(form: ClinicConsultationCreate, *, today: date) -> Triage:
    """Check every answer; any red flag (or oxygen saturation below 94 %) is recorded as such."""
    temperature = form.temperature
    if temperature is None or (isinstance(temperature, float) and math.isnan(temperature)):
        raise DomainError(NO_TEMPERATURE)
    if not rules.TEMPERATURE_MIN <= temperature <= rules.TEMPERATURE_MAX:
        raise DomainError(BAD_TEMPERATURE, low=rules.TEMPERATURE_MIN, high=rules.TEMPERATURE_MAX)
    if form.onset_date is None:
        raise DomainError(NO_ONSET)
    if form.onset_date > today:
        raise DomainError(FUTURE_ONSET)
    if form.onset_date < today - timedelta(days=rules.ONSET_MAX_DAYS):
        raise DomainError(OLD_ONSET, days=rules.ONSET_MAX_DAYS)
    symptoms = _codes(form.symptoms, rules.SYMPTOMS)
    chronic = _codes(form.chronic, rules.CHRONIC)
    flags = set(_codes([f for f in form.red_flags if f != 'low_spo2'], rules.RED_FLAGS))
    spo2 = form.spo2
    if spo2 is not None:
        if not 50 <= spo2 <= 100:
            raise DomainError(N_('Oxygen saturation is a percentage between 50 and 100; leave it empty if unknown.'))
        if spo2 < rules.SPO2_RED_FLAG:
            flags.add('low_spo2')
    detail = clean_text(form.travel_detail, field=N_('Where did you travel?'), max_length=100, required=form.travel)
    return Triage(temperature=round(float(temperature), 1), symptoms=symptoms, onset_date=form.onset_date,
                  exposure=form.exposure, travel=form.travel, travel_detail=detail if form.travel else '',
                  red_flags=tuple(c for c in rules.RED_FLAGS if c in flags), spo2=spo2,
                  chronic=chronic)  # fmt: skip


def age_on(birth: date, today: date) -> int:
    """Completed years of age."""
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def severity(triage: Triage, *, age: int) -> int:
    """0..10: fever height, exposure, risk factors (age, chronic disease), breadth of symptoms."""
    score = 0
    if triage.temperature >= 39.0:
        score += 3
    elif triage.temperature >= 38.0:
        score += 2
    elif triage.temperature >= 37.3:
        score += 1
    if triage.exposure:
        score += 2
    if triage.travel:
        score += 1
    if age >= 65 or age < 3:
        score += 2
    if triage.chronic:
        score += 1 if len(triage.chronic) == 1 else 2
    if 'smell_taste' in triage.symptoms:
        score += 1
    if len(triage.symptoms) >= 3:
        score += 1
    if triage.has_red_flag:
        score = rules.MAX_SEVERITY
    return min(score, rules.MAX_SEVERITY)
