"""The synthetic demo county: a made-up chest-pain and stroke network over Xiangcheng (项城市).

The township names and their rough positions follow the real county-level city of Xiangcheng
(Zhoukou, Henan); every facility, ambulance, village, phone number and population is invented
and labelled as such. ``build_demo_county`` is pure: the same seed always gives the same county.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from geo.pinyin import initials, to_pinyin
from units.vocabulary import Capability as Cap
from units.vocabulary import CrewCapability as Crew
from units.vocabulary import FacilityKind as Kind

CENTRE_LAT = 33.44
CENTRE_LON = 114.88
METRES_PER_DEGREE_LAT = 111_320.0
NOTE = "合成演示数据，非真实患者或机构 / Synthetic demo data: not real patients or institutions"

# (slug, name, lat, lon, population, township unit level). Approximate centres of the real
# subdistricts (街道), towns (镇) and townships (乡); populations are invented.
# Unit levels: "lysis" chest-pain unit giving thrombolysis, "cpu" chest-pain unit (12-lead ECG
# with transmission), "ecg" 12-lead ECG only, "none" nothing special.
TOWNSHIPS: tuple[tuple[str, str, float, float, int, str], ...] = (
    ("shuizhai", "水寨街道", 33.443, 114.878, 128_000, "none"),
    ("huayuan", "花园街道", 33.452, 114.902, 86_000, "none"),
    ("dongfang", "东方街道", 33.428, 114.912, 74_000, "none"),
    ("lianhua", "莲花街道", 33.466, 114.868, 62_000, "ecg"),
    ("qianfoge", "千佛阁街道", 33.425, 114.858, 55_000, "ecg"),
    ("guangwu", "光武街道", 33.470, 114.900, 48_000, "ecg"),
    ("nandun", "南顿镇", 33.560, 114.760, 62_000, "lysis"),
    ("sundian", "孙店镇", 33.512, 114.805, 38_000, "ecg"),
    ("lizhai", "李寨镇", 33.540, 114.880, 36_000, "ecg"),
    ("jialing", "贾岭镇", 33.418, 114.735, 41_000, "cpu"),
    ("gaosi", "高寺镇", 33.355, 114.765, 35_000, "cpu"),
    ("xinqiao", "新桥镇", 33.500, 115.000, 34_000, "ecg"),
    ("fuji", "付集镇", 33.330, 114.850, 40_000, "ecg"),
    ("guanhui", "官会镇", 33.380, 114.965, 33_000, "ecg"),
    ("dingji", "丁集镇", 33.420, 115.065, 45_000, "lysis"),
    ("moling", "秣陵镇", 33.462, 115.005, 39_000, "ecg"),
    ("zhengguo", "郑郭镇", 33.290, 114.960, 37_000, "lysis"),
    ("wangmingkou", "王明口镇", 33.290, 114.805, 36_000, "cpu"),
    ("yongfeng", "永丰镇", 33.340, 115.050, 31_000, "cpu"),
    ("fanji", "范集镇", 33.595, 114.905, 34_000, "cpu"),
    ("sandian", "三店镇", 33.552, 115.035, 32_000, "cpu"),
    ("zhangzhuang", "张庄乡", 33.240, 114.880, 30_000, "lysis"),
)
UNIT_CAPABILITIES: dict[str, tuple[str, ...]] = {
    "lysis": (Cap.ecg12, Cap.ecg_transmit, Cap.thrombolysis),
    "cpu": (Cap.ecg12, Cap.ecg_transmit),
    "ecg": (Cap.ecg12,),
    "none": (),
}
# Ambulance stations: (township slug or "county" for the county hospital, ambulances).
STATIONS: tuple[tuple[str, int], ...] = (
    ("county", 4),
    ("nandun", 2),
    ("fanji", 2),
    ("sandian", 2),
    ("dingji", 2),
    ("zhengguo", 2),
    ("zhangzhuang", 2),
    ("jialing", 2),
)
COUNTY_HOSPITAL_CAPS: tuple[str, ...] = (
    Cap.ecg12,
    Cap.ecg_transmit,
    Cap.thrombolysis,
    Cap.pci,
    Cap.pci_24_7,
    Cap.ct,
    Cap.stroke_thrombolysis,
)
CITY_HOSPITAL_CAPS = (*COUNTY_HOSPITAL_CAPS, Cap.thrombectomy)
COUNTY_HOSPITAL_LAT, COUNTY_HOSPITAL_LON = 33.4412, 114.8806
# North-west, toward Zhoukou; about 50 km from the centre (synthetic position).
CITY_HOSPITAL_LAT, CITY_HOSPITAL_LON = 33.77, 114.52

# Village names: [prefix] + surname + suffix + 村 (e.g. 王庄村, 后李楼村, 大张营村).
SURNAMES = tuple(
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许彭吕苏卢蒋蔡贾丁魏薛叶"
    "阎潘杜夏田任姜范方石姚付孔白崔毛秦史侯孟段雷常武乔贺牛葛尚耿"
)
SUFFIXES = tuple("庄楼营寨集湾店桥屯口岗洼庙台")
SUFFIX_WEIGHTS = (30, 16, 10, 10, 5, 5, 5, 4, 3, 3, 4, 3, 2, 2)
PREFIXES = tuple("大小前后东西南北新")
PREFIX_PROBABILITY = 0.2
ROADS = ("人民路", "健康路", "建设路", "文明路", "团结路", "卫生路", "育新街", "交通路")
CREW_ALS: tuple[str, ...] = (Crew.als, Crew.ecg12, Crew.ecg_transmit)
CREW_BLS: tuple[str, ...] = (Crew.bls, Crew.ecg12)
VILLAGES_URBAN = (6, 10)  # villages per subdistrict (inclusive range)
VILLAGES_RURAL = (17, 24)  # villages per town or township
VILLAGE_RADIUS_URBAN_M = 3_500.0
VILLAGE_RADIUS_RURAL_M = 5_500.0
VILLAGE_MIN_RADIUS_M = 500.0
VILLAGE_CLINICS = 30


@dataclass(frozen=True)
class DemoFacility:
    id: str
    kind: str
    capabilities: tuple[str, ...]
    name_zh: str
    name_en: str
    address: str
    phone: str
    lon: float
    lat: float
    status: str
    township_id: str | None


@dataclass(frozen=True)
class DemoAmbulance:
    id: str
    callsign: str
    station_id: str
    crew_capability: tuple[str, ...]
    lon: float
    lat: float


@dataclass(frozen=True)
class DemoPlace:
    id: str
    kind: str
    name_zh: str
    pinyin: str
    initials: str
    township_zh: str
    population: int
    lon: float
    lat: float


@dataclass(frozen=True)
class DemoCounty:
    name_zh: str
    name_en: str
    note: str
    facilities: tuple[DemoFacility, ...]
    ambulances: tuple[DemoAmbulance, ...]
    places: tuple[DemoPlace, ...]


def _offset(lat: float, lon: float, north_m: float, east_m: float) -> tuple[float, float]:
    """The point north_m / east_m metres from (lat, lon), rounded to 6 decimals."""
    dlat = north_m / METRES_PER_DEGREE_LAT
    dlon = east_m / (METRES_PER_DEGREE_LAT * math.cos(math.radians(lat)))
    return round(lat + dlat, 6), round(lon + dlon, 6)


def _scatter(
    rng: random.Random, lat: float, lon: float, r_min: float, r_max: float
) -> tuple[float, float]:
    """A point uniformly spread over the ring r_min..r_max metres around (lat, lon)."""
    r = math.sqrt(rng.uniform(r_min * r_min, r_max * r_max))
    theta = rng.uniform(0.0, 2.0 * math.pi)
    return _offset(lat, lon, r * math.cos(theta), r * math.sin(theta))


def _kind_en(name_zh: str) -> str:
    """English word for the administrative level of a township name."""
    if name_zh.endswith("街道"):
        return "Subdistrict"
    return "Town" if name_zh.endswith("镇") else "Township"


def _village_name(rng: random.Random) -> str:
    """A plausible Henan plain village name such as 王庄村 or 后李楼村."""
    prefix = rng.choice(PREFIXES) if rng.random() < PREFIX_PROBABILITY else ""
    suffix = rng.choices(SUFFIXES, weights=SUFFIX_WEIGHTS)[0]
    return f"{prefix}{rng.choice(SURNAMES)}{suffix}村"


def _address(rng: random.Random, township_zh: str) -> str:
    """A made-up street address inside the given township."""
    return f"河南省周口市项城市{township_zh}{rng.choice(ROADS)}{rng.randint(1, 199)}号"


def _places(rng: random.Random) -> tuple[list[DemoPlace], dict[str, str]]:
    """County, township and village places; also maps each village id to its township slug."""
    townships: list[DemoPlace] = []
    villages: list[DemoPlace] = []
    village_township: dict[str, str] = {}
    for slug, name_zh, lat, lon, population, _ in TOWNSHIPS:
        townships.append(
            DemoPlace(
                id=f"t-{slug}",
                kind="township",
                name_zh=name_zh,
                pinyin=to_pinyin(name_zh),
                initials=initials(name_zh),
                township_zh=name_zh,
                population=population,
                lon=lon,
                lat=lat,
            )
        )
        urban = name_zh.endswith("街道")
        low, high = VILLAGES_URBAN if urban else VILLAGES_RURAL
        radius = VILLAGE_RADIUS_URBAN_M if urban else VILLAGE_RADIUS_RURAL_M
        names: list[str] = []
        count = rng.randint(low, high)
        while len(names) < count:
            name = _village_name(rng)
            if name not in names:
                names.append(name)
        for name in names:
            v_lat, v_lon = _scatter(rng, lat, lon, VILLAGE_MIN_RADIUS_M, radius)
            village_id = f"v-{len(villages) + 1:04d}"
            villages.append(
                DemoPlace(
                    id=village_id,
                    kind="village",
                    name_zh=name,
                    pinyin=to_pinyin(name),
                    initials=initials(name),
                    township_zh=name_zh,
                    population=int(round(rng.triangular(300, 3000, 1100), -1)),
                    lon=v_lon,
                    lat=v_lat,
                )
            )
            village_township[village_id] = slug
    county = DemoPlace(
        id="c-xiangcheng",
        kind="county",
        name_zh="项城市",
        pinyin=to_pinyin("项城市"),
        initials=initials("项城市"),
        township_zh="",
        population=sum(t[4] for t in TOWNSHIPS),
        lon=CENTRE_LON,
        lat=CENTRE_LAT,
    )
    return [county, *townships, *villages], village_township


def _hospitals(rng: random.Random) -> list[DemoFacility]:
    """The county hospital (24/7 PCI, stroke centre) and the city hospital (thrombectomy)."""
    return [
        DemoFacility(
            id="county-hospital",
            kind=Kind.county_hospital,
            capabilities=COUNTY_HOSPITAL_CAPS,
            name_zh="项城市人民医院（演示）",
            name_en="Xiangcheng People's Hospital (demo)",
            address="河南省周口市项城市水寨街道健康路1号",
            phone="0394-555-1000",
            lon=COUNTY_HOSPITAL_LON,
            lat=COUNTY_HOSPITAL_LAT,
            status="ready",
            township_id="t-shuizhai",
        ),
        DemoFacility(
            id="city-hospital",
            kind=Kind.city_hospital,
            capabilities=CITY_HOSPITAL_CAPS,
            name_zh="周口市区域医疗中心（演示）",
            name_en="Zhoukou Regional Medical Centre (demo)",
            address=f"河南省周口市川汇区{rng.choice(ROADS)}{rng.randint(1, 199)}号",
            phone="0394-555-2000",
            lon=CITY_HOSPITAL_LON,
            lat=CITY_HOSPITAL_LAT,
            status="ready",
            township_id=None,
        ),
    ]


def _township_units(rng: random.Random) -> list[DemoFacility]:
    """One health centre per subdistrict, town and township, with its unit level's tools."""
    units: list[DemoFacility] = []
    for i, (slug, name_zh, lat, lon, _, level) in enumerate(TOWNSHIPS, start=1):
        title = slug.capitalize()
        if name_zh.endswith("街道"):
            zh, en = "社区卫生服务中心", f"{title} Subdistrict Community Health Centre"
        else:
            zh, en = "卫生院", f"{title} {_kind_en(name_zh)} Health Centre"
        u_lat, u_lon = _scatter(rng, lat, lon, 100.0, 400.0)
        units.append(
            DemoFacility(
                id=f"th-{slug}",
                kind=Kind.township_unit,
                capabilities=UNIT_CAPABILITIES[level],
                name_zh=f"项城市{name_zh}{zh}（演示）",
                name_en=f"{en} (demo)",
                address=_address(rng, name_zh),
                phone=f"0394-555-{3000 + i}",
                lon=u_lon,
                lat=u_lat,
                status="ready",
                township_id=f"t-{slug}",
            )
        )
    return units


def _stations(
    rng: random.Random, units: dict[str, DemoFacility], county_hospital: DemoFacility
) -> tuple[list[DemoFacility], list[DemoAmbulance]]:
    """Ambulance stations next to the county hospital and some township units, with vehicles."""
    stations: list[DemoFacility] = []
    ambulances: list[DemoAmbulance] = []
    for i, (where, vehicles) in enumerate(STATIONS, start=1):
        if where == "county":
            base, zh, en = county_hospital, "项城120人民医院急救站", "Xiangcheng 120 County Station"
            township_id = county_hospital.township_id
            address = f"{county_hospital.address}（急诊楼东侧）"
        else:
            base = units[f"th-{where}"]
            township_zh = next(t[1] for t in TOWNSHIPS if t[0] == where)
            zh = f"项城120{township_zh}急救分站"
            en = f"Xiangcheng 120 {where.capitalize()} Station"
            township_id, address = base.township_id, _address(rng, township_zh)
        lat, lon = _offset(base.lat, base.lon, 60.0, 60.0)
        station = DemoFacility(
            id=f"as-{where}",
            kind=Kind.ambulance_station,
            capabilities=(Cap.ecg12, Cap.ecg_transmit),
            name_zh=f"{zh}（演示）",
            name_en=f"{en} (demo)",
            address=address,
            phone=f"0394-555-{1200 + i}",
            lon=lon,
            lat=lat,
            status="ready",
            township_id=township_id,
        )
        stations.append(station)
        for k in range(vehicles):
            n = len(ambulances) + 1
            # The first vehicle of every station is ALS; later ones at township stations vary.
            als = where == "county" or k == 0 or rng.random() < 0.5
            ambulances.append(
                DemoAmbulance(
                    id=f"amb-{n:02d}",
                    callsign=f"项城120-{n:02d}",
                    station_id=station.id,
                    crew_capability=CREW_ALS if als else CREW_BLS,
                    lon=lon,
                    lat=lat,
                )
            )
    return stations, ambulances


def _village_clinics(
    rng: random.Random, villages: list[DemoPlace], village_township: dict[str, str]
) -> list[DemoFacility]:
    """Village clinics (村卫生室) in a sample of villages: first contact, no ECG reading."""
    chosen = sorted(rng.sample(villages, VILLAGE_CLINICS), key=lambda v: v.id)
    clinics: list[DemoFacility] = []
    for i, village in enumerate(chosen, start=1):
        slug = village_township[village.id]
        title = to_pinyin(village.name_zh.removesuffix("村")).capitalize()
        clinics.append(
            DemoFacility(
                id=f"vc-{slug}-{village.pinyin}",
                kind=Kind.village_clinic,
                capabilities=(),
                name_zh=f"{village.township_zh}{village.name_zh}卫生室（演示）",
                name_en=f"{title} Village Clinic, {slug.capitalize()} (demo)",
                address=f"河南省周口市项城市{village.township_zh}{village.name_zh}",
                phone=f"0394-555-{4000 + i}",
                lon=village.lon,
                lat=village.lat,
                status="ready",
                township_id=f"t-{slug}",
            )
        )
    return clinics


def build_demo_county(seed: int = 20261124) -> DemoCounty:
    """Build the synthetic demo county; the same seed always gives an identical county."""
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not security
    places, village_township = _places(rng)
    villages = [p for p in places if p.kind == "village"]
    county_hospital, city_hospital = _hospitals(rng)
    units = _township_units(rng)
    stations, ambulances = _stations(rng, {u.id: u for u in units}, county_hospital)
    clinics = _village_clinics(rng, villages, village_township)
    return DemoCounty(
        name_zh="项城市（演示）",
        name_en="Xiangcheng (demo)",
        note=NOTE,
        facilities=(county_hospital, city_hospital, *stations, *units, *clinics),
        ambulances=tuple(ambulances),
        places=tuple(places),
    )
