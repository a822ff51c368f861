"""The referral to an offline fever clinic: a QR code carrying the triage summary, for the clinic's staff."""

import base64
import io

import qrcode
import qrcode.image.svg

from models.clinic import ClinicConsultationPublic
from services.clinic.clinics import clinic


def referral_text(consult: ClinicConsultationPublic) -> str:
    """The triage summary the QR code carries (codes, not prose: any clinic system can read it)."""
    target = clinic(consult.clinic_code)
    lines = [
        f'SCC-FEVER-REFERRAL {consult.referral_token}',
        f'consultation={consult.id} date={consult.ended_at:%Y-%m-%d}'
        if consult.ended_at
        else f'consultation={consult.id}',
        f'clinic={target.code}',
        f'patient={consult.patient_masked} age={consult.age}',
        f'temperature={consult.temperature:.1f} onset={consult.onset_date:%Y-%m-%d}',
        f'symptoms={",".join(consult.symptoms) or "-"}',
        f'red_flags={",".join(consult.red_flags) or "-"} spo2={consult.spo2 if consult.spo2 is not None else "-"}',
        f'exposure={int(consult.exposure)} travel={int(consult.travel)} chronic={",".join(consult.chronic) or "-"}',
        f'severity={consult.severity}/10 worse={consult.worse_count}',
    ]
    return '\n'.join(lines)


def referral_qr_data_url(consult: ClinicConsultationPublic) -> str:
    """The QR code as an SVG data URL (shown with an image element, so no markup is injected into the page)."""
    image = qrcode.make(referral_text(consult), image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return 'data:image/svg+xml;base64,' + base64.b64encode(buffer.getvalue()).decode('ascii')
