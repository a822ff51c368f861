"""The clinic's rules in one place: triage vocabulary, queue timing, limits. Msgids are translated by views."""

from datetime import timedelta

from services.errors import N_

SYMPTOMS: dict[str, str] = {
    'cough': N_('Cough'),
    'sore_throat': N_('Sore throat'),
    'fatigue': N_('Tiredness'),
    'muscle_ache': N_('Muscle aches'),
    'headache': N_('Headache'),
    'smell_taste': N_('Loss of smell or taste'),
    'runny_nose': N_('Runny or blocked nose'),
    'diarrhoea': N_('Diarrhoea or vomiting'),
}
RED_FLAGS: dict[str, str] = {
    'breathing': N_('Difficulty breathing'),
    'chest_pain': N_('Chest pain or pressure'),
    'confusion': N_('Confusion or hard to wake'),
    'bluish_lips': N_('Bluish lips or face'),
    'low_spo2': N_('Oxygen saturation below 94 %'),
}
CHRONIC: dict[str, str] = {
    'heart': N_('Heart disease'),
    'lung': N_('Chronic lung disease or asthma'),
    'diabetes': N_('Diabetes'),
    'hypertension': N_('High blood pressure'),
    'kidney': N_('Kidney disease'),
    'immune': N_('Weakened immune system'),
    'pregnancy': N_('Pregnancy'),
}
OUTCOMES: dict[str, str] = {
    'self_care': N_('Self-care at home'),
    'home_isolation': N_('Home isolation and observation'),
    'offline_clinic': N_('Go to an offline fever clinic'),
    'suspected': N_('Suspected case, reported'),
}
# What each outcome does to the health code (M1 applies it; the resident is shown the rule).
OUTCOME_RULES: dict[str, str] = {
    'self_care': N_('Your health code does not change.'),
    'home_isolation': N_('Rule: home isolation turns your health code yellow until the isolation ends.'),
    'offline_clinic': N_('Your health code does not change; please go to the clinic directly, avoid public transport.'),
    'suspected': N_('Rule: a suspected case turns your health code red; the disease control centre will contact you.'),
}
ADVICE_TEMPLATES: dict[str, str] = {
    'rest': N_('Rest, drink plenty of water, and take your temperature twice a day.'),
    'antipyretic': N_('If your temperature is above 38.5 °C you may take paracetamol as the package says.'),
    'isolate': N_('Stay in a separate room, wear a mask near others, and do not go out for 14 days.'),
    'return': N_('Start a new consultation or call 120 if breathing gets difficult or the fever lasts 3 days.'),
    'clinic': N_('Go to the fever clinic today, wearing a mask, by private car or on foot, not by bus or metro.'),
}

TEMPERATURE_MIN, TEMPERATURE_MAX = 34.0, 43.0
ONSET_MAX_DAYS = 30
SPO2_RED_FLAG = 94
MAX_SEVERITY = 10
WORSE_POINTS = 2
# Ageing: each severity point is a head start of this many minutes of waiting, so whoever has waited
# HEAD_START * MAX_SEVERITY longer than a newcomer is ahead of them whatever their triage says.
HEAD_START = timedelta(minutes=6)
RED_FLAG_HEAD_START = timedelta(days=1)
RECONNECT_GRACE = timedelta(minutes=5)
PRESENT = timedelta(seconds=90)  # "call next" skips patients not seen this long (they keep their place)
DOCTOR_PRESENT = timedelta(minutes=2)
WORSE_INTERVAL = timedelta(minutes=20)
FEW_AHEAD = 3
DEFAULT_MINUTES = (5.0, 12.0)  # per-patient consult length range before there is any history
RECENT_CONSULTS = 30
CHAT_MAX = 500
CHAT_BURST = 5  # at most this many messages ...
CHAT_WINDOW = timedelta(seconds=10)  # ... per sender in this window
P90_WARN_MINUTES = 30.0
ADVICE_MAX = 2000
