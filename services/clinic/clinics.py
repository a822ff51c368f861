"""Offline fever clinics of the demo city (Jinan), bilingual, with the nearest one for a district."""

from dataclasses import dataclass

from services.errors import N_, DomainError


@dataclass(frozen=True)
class FeverClinic:
    """An offline fever clinic, with the districts for which it is the nearest."""

    code: str
    name_zh: str
    name_en: str
    address_zh: str
    address_en: str
    phone: str
    districts: tuple[str, ...]  # districts for which this is the nearest


CLINICS: tuple[FeverClinic, ...] = (
    FeverClinic('qilu', '山东大学齐鲁医院发热门诊', 'Qilu Hospital fever clinic', '历下区文化西路107号',
                '107 Wenhua West Road, Lixia', '0531-82169114', ('370102', '370112', '370114')),
    FeverClinic('provincial', '山东省立医院发热门诊', 'Shandong Provincial Hospital fever clinic',
                '槐荫区经五纬七路324号', '324 Jingwu Weiqi Road, Huaiyin', '0531-68776114',
                ('370104', '370113', '370124')),
    FeverClinic('central', '济南市中心医院发热门诊', 'Jinan Central Hospital fever clinic', '历下区解放路105号',
                '105 Jiefang Road, Lixia', '0531-85695114', ('370105', '370115', '370126')),
    FeverClinic('fourth', '济南市第四人民医院发热门诊', 'Jinan Fourth People\'s Hospital fever clinic',
                '市中区师范路50号', '50 Shifan Road, Shizhong', '0531-81313114', ('370103',)),
    FeverClinic('laiwu', '济南市莱芜人民医院发热门诊', 'Laiwu People\'s Hospital fever clinic', '莱芜区龙潭东大街001号',
                '1 Longtan East Street, Laiwu', '0634-6278114', ('370116', '370117')),
)  # fmt: skip


def clinic(code: str) -> FeverClinic:
    """The clinic with `code`, or a DomainError."""
    for item in CLINICS:
        if item.code == code:
            return item
    raise DomainError(N_('Please choose a fever clinic.'))


def nearest(district: str) -> FeverClinic:
    """The fever clinic serving `district` (the first one when the district is not listed)."""
    for item in CLINICS:
        if district in item.districts:
            return item
    return CLINICS[0]
