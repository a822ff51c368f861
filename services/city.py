"""The city is configuration: its name, districts and time zone come from assets/city/<code>.json."""

import json
from dataclasses import dataclass
from functools import lru_cache

from services.errors import N_, DomainError
from services.settings import ROOT, settings


@dataclass(frozen=True)
class District:
    code: str
    zh: str
    en: str

    def name(self, language: str) -> str:
        """The district's name in `language` ('zh-CN' or 'en-US')."""
        return self.zh if language.startswith('zh') else self.en


@dataclass(frozen=True)
class City:
    code: str
    name_zh: str
    name_en: str
    nickname_zh: str
    nickname_en: str
    timezone: str
    center: tuple[float, float]
    districts: tuple[District, ...]

    def name(self, language: str) -> str:
        """The city's name in `language`."""
        return self.name_zh if language.startswith('zh') else self.name_en

    def district(self, code: str) -> District:
        """The district with `code`, or a DomainError."""
        for district in self.districts:
            if district.code == code:
                return district
        raise DomainError(N_('Please choose a district of the city.'))


@lru_cache
def current_city() -> City:
    """The configured city (CITY, default jinan)."""
    raw = json.loads((ROOT / 'assets' / 'city' / f'{settings.city}.json').read_text(encoding='utf-8'))
    return City(
        code=raw['code'],
        name_zh=raw['name_zh'],
        name_en=raw['name_en'],
        nickname_zh=raw['nickname_zh'],
        nickname_en=raw['nickname_en'],
        timezone=raw['timezone'],
        center=(raw['center'][0], raw['center'][1]),
        districts=tuple(District(**d) for d in raw['districts']),
    )
