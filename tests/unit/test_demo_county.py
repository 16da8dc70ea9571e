"""Unit tests for the synthetic demo county generator and the pinyin helpers (no I/O)."""

from __future__ import annotations

import math
import re
from collections import Counter

import pytest

from dispatch.demo.county import (
    CENTRE_LAT,
    CENTRE_LON,
    DemoCounty,
    DemoFacility,
    DemoPlace,
    build_demo_county,
)
from geo.pinyin import initials, normalize_query, to_pinyin

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")
KINDS = {"ambulance_station", "village_clinic", "township_unit", "county_hospital", "city_hospital"}
CAPABILITIES = {
    "ecg12",
    "ecg_transmit",
    "thrombolysis",
    "pci",
    "pci_24_7",
    "ct",
    "stroke_thrombolysis",
    "thrombectomy",
}
CREW = {"als", "bls", "ecg12", "ecg_transmit"}
PHONE = re.compile(r"^0394-555-\d{4}$")


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres on a sphere of radius 6,371,008.8 m."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(a))


def from_centre_m(lat: float, lon: float) -> float:
    """Distance in metres from the county centre."""
    return haversine_m(CENTRE_LAT, CENTRE_LON, lat, lon)


@pytest.fixture(scope="module")
def county() -> DemoCounty:
    """The demo county built with the default seed."""
    return build_demo_county()


def of_kind(county: DemoCounty, kind: str) -> list[DemoFacility]:
    """Facilities of one kind."""
    return [f for f in county.facilities if f.kind == kind]


def places_of_kind(county: DemoCounty, kind: str) -> list[DemoPlace]:
    """Places of one kind."""
    return [p for p in county.places if p.kind == kind]


def chest_pain_units(county: DemoCounty) -> list[DemoFacility]:
    """Township units with a 12-lead ECG and ECG transmission."""
    return [
        f
        for f in of_kind(county, "township_unit")
        if {"ecg12", "ecg_transmit"} <= set(f.capabilities)
    ]


def test_same_seed_gives_identical_county(county: DemoCounty) -> None:
    """Building twice with the same seed gives exactly the same county."""
    assert county == build_demo_county()
    assert build_demo_county(7) == build_demo_county(7)


def test_different_seed_gives_different_villages(county: DemoCounty) -> None:
    """Another seed changes the generated villages."""
    assert places_of_kind(county, "village") != places_of_kind(build_demo_county(7), "village")


def test_note_says_synthetic_in_chinese_and_english(county: DemoCounty) -> None:
    """The county note labels the data synthetic in both languages."""
    assert True is ("合成演示数据" in county.note and "Synthetic demo data" in county.note)
    assert True is county.name_zh.endswith("（演示）")
    assert True is county.name_en.endswith(" (demo)")


def test_every_facility_name_is_labelled_synthetic(county: DemoCounty) -> None:
    """Every facility's Chinese and English names carry the demo label."""
    unlabelled = [
        f.id
        for f in county.facilities
        if not (f.name_zh.endswith("（演示）") and f.name_en.endswith(" (demo)"))
    ]
    assert [] == unlabelled


def test_phone_numbers_are_fictional(county: DemoCounty) -> None:
    """Every phone number follows the fictional 0394-555-xxxx pattern, each one different."""
    phones = [f.phone for f in county.facilities]
    assert [] == [p for p in phones if not PHONE.match(p)]
    assert len(phones) == len(set(phones))


def test_ids_are_unique_slugs(county: DemoCounty) -> None:
    """Facility, ambulance and place ids are unique and match the slug pattern."""
    ids = [
        *(f.id for f in county.facilities),
        *(a.id for a in county.ambulances),
        *(p.id for p in county.places),
    ]
    assert {} == {i: n for i, n in Counter(ids).items() if n > 1}
    assert [] == [i for i in ids if not SLUG.match(i)]


def test_kinds_capabilities_and_status_come_from_allowed_sets(county: DemoCounty) -> None:
    """Kinds and capabilities are from the allowed vocabularies, and every facility is ready."""
    assert KINDS == {f.kind for f in county.facilities}
    assert set() == {c for f in county.facilities for c in f.capabilities} - CAPABILITIES
    assert {"ready"} == {f.status for f in county.facilities}
    assert set() == {c for a in county.ambulances for c in a.crew_capability} - CREW


def test_one_county_hospital_with_24_7_pci_and_stroke_centre(county: DemoCounty) -> None:
    """Exactly one county hospital, with a 24/7 cath lab and stroke thrombolysis."""
    hospitals = of_kind(county, "county_hospital")
    assert ["county-hospital"] == [h.id for h in hospitals]
    assert set() == {"pci", "pci_24_7", "ct", "stroke_thrombolysis"} - set(
        hospitals[0].capabilities
    )
    assert True is (from_centre_m(hospitals[0].lat, hospitals[0].lon) < 2_000)


def test_one_city_hospital_with_thrombectomy_about_50_km_away(county: DemoCounty) -> None:
    """Exactly one city hospital, thrombectomy-capable, 45-55 km from the county centre."""
    hospitals = of_kind(county, "city_hospital")
    assert ["city-hospital"] == [h.id for h in hospitals]
    assert True is ("thrombectomy" in hospitals[0].capabilities)
    assert True is ("pci_24_7" in hospitals[0].capabilities)
    distance = from_centre_m(hospitals[0].lat, hospitals[0].lon)
    assert True is (45_000 <= distance <= 55_000), distance


def test_township_units_include_chest_pain_and_thrombolysis_units(county: DemoCounty) -> None:
    """About 20 township units: at least 8 chest-pain units, 3-5 of them giving thrombolysis."""
    units = of_kind(county, "township_unit")
    cpus = chest_pain_units(county)
    lysis = [u.id for u in cpus if "thrombolysis" in u.capabilities]
    assert True is (18 <= len(units) <= 24), len(units)
    assert True is (len(cpus) >= 8), len(cpus)
    assert True is (3 <= len(lysis) <= 5), lysis
    assert [] == [u.id for u in units if "thrombolysis" in u.capabilities and u not in cpus]


def test_one_township_unit_per_township(county: DemoCounty) -> None:
    """Each township place has exactly one township unit, pointing back at it."""
    townships = sorted(p.id for p in places_of_kind(county, "township"))
    assert townships == sorted(str(u.township_id) for u in of_kind(county, "township_unit"))


def test_ambulance_stations_send_ecgs(county: DemoCounty) -> None:
    """About 8 ambulance stations, all with 12-lead ECG and transmission, one by the hospital."""
    stations = of_kind(county, "ambulance_station")
    hospital = of_kind(county, "county_hospital")[0]
    assert True is (6 <= len(stations) <= 10), len(stations)
    assert [] == [s.id for s in stations if {"ecg12", "ecg_transmit"} - set(s.capabilities)]
    near = [s.id for s in stations if haversine_m(s.lat, s.lon, hospital.lat, hospital.lon) < 500]
    assert 1 == len(near)


def test_ambulances_are_at_existing_stations(county: DemoCounty) -> None:
    """15-20 ambulances, each based at an existing station and located there."""
    stations = {s.id: s for s in of_kind(county, "ambulance_station")}
    assert True is (15 <= len(county.ambulances) <= 20), len(county.ambulances)
    assert [] == [a.id for a in county.ambulances if a.station_id not in stations]
    misplaced = [
        a.id
        for a in county.ambulances
        if (a.lat, a.lon) != (stations[a.station_id].lat, stations[a.station_id].lon)
    ]
    assert [] == misplaced
    assert set(stations) == {a.station_id for a in county.ambulances}


def test_village_clinics_have_no_capabilities(county: DemoCounty) -> None:
    """20-40 village clinics, none with any capability."""
    clinics = of_kind(county, "village_clinic")
    assert True is (20 <= len(clinics) <= 40), len(clinics)
    assert [] == [c.id for c in clinics if c.capabilities]


def test_gazetteer_has_county_townships_and_villages(county: DemoCounty) -> None:
    """One county place, about 20 townships and at least 300 villages."""
    assert ["c-xiangcheng"] == [p.id for p in places_of_kind(county, "county")]
    assert True is (18 <= len(places_of_kind(county, "township")) <= 24)
    assert True is (len(places_of_kind(county, "village")) >= 300)
    assert {"county", "township", "village"} == {p.kind for p in county.places}


def test_village_names_are_unique_within_a_township(county: DemoCounty) -> None:
    """No township has two villages of the same name; names end with 村."""
    names = Counter((p.township_zh, p.name_zh) for p in places_of_kind(county, "village"))
    assert {} == {k: n for k, n in names.items() if n > 1}
    assert [] == [n for (_, n) in names if not n.endswith("村")]


def test_village_pinyin_population_and_township(county: DemoCounty) -> None:
    """Villages carry pinyin and initials, a 300-3,000 population and an existing township."""
    townships = {p.name_zh for p in places_of_kind(county, "township")}
    villages = places_of_kind(county, "village")
    assert [] == [v.id for v in villages if v.pinyin != to_pinyin(v.name_zh)]
    assert [] == [v.id for v in villages if v.initials != initials(v.name_zh)]
    assert [] == [v.id for v in villages if not 300 <= v.population <= 3_000]
    assert [] == [v.id for v in villages if v.township_zh not in townships]


def test_villages_cluster_around_their_township(county: DemoCounty) -> None:
    """Every village lies within 6 km of its township's centre."""
    centres = {p.name_zh: p for p in places_of_kind(county, "township")}
    far = [
        v.id
        for v in places_of_kind(county, "village")
        if haversine_m(v.lat, v.lon, centres[v.township_zh].lat, centres[v.township_zh].lon) > 6_000
    ]
    assert [] == far


def test_township_ids_refer_to_township_places(county: DemoCounty) -> None:
    """A facility's township_id is a township place id; only the city hospital has none."""
    townships = {p.id for p in places_of_kind(county, "township")}
    assert ["city-hospital"] == [f.id for f in county.facilities if f.township_id is None]
    assert [] == [
        f.id
        for f in county.facilities
        if f.township_id is not None and f.township_id not in townships
    ]


def test_everything_but_the_city_hospital_is_within_30_km(county: DemoCounty) -> None:
    """All facilities, ambulances and places lie within 30 km of the centre, bar the city one."""
    points = [
        *((f.id, f.lat, f.lon) for f in county.facilities if f.kind != "city_hospital"),
        *((a.id, a.lat, a.lon) for a in county.ambulances),
        *((p.id, p.lat, p.lon) for p in county.places),
    ]
    assert [] == [i for i, lat, lon in points if from_centre_m(lat, lon) > 30_000]


def test_coordinates_are_rounded_to_six_decimals(county: DemoCounty) -> None:
    """Every coordinate has at most 6 decimals."""
    coords = [
        *((f.lat, f.lon) for f in county.facilities),
        *((a.lat, a.lon) for a in county.ambulances),
        *((p.lat, p.lon) for p in county.places),
    ]
    assert [] == [c for c in coords if c != (round(c[0], 6), round(c[1], 6))]


def test_to_pinyin_gives_toneless_joined_pinyin() -> None:
    """to_pinyin turns 王庄村 into wangzhuangcun and keeps ASCII letters and digits lowercased."""
    assert "wangzhuangcun" == to_pinyin("王庄村")
    assert "g107guodao" == to_pinyin("G107 国道！")
    assert "qianfogejiedao" == to_pinyin("千佛阁街道")


def test_initials_gives_first_letters() -> None:
    """initials turns 王庄村 into wzc."""
    assert "wzc" == initials("王庄村")
    assert "nd" == initials("南顿")


def test_normalize_query_drops_case_spaces_apostrophes_and_hyphens() -> None:
    """normalize_query lowercases and removes spaces, apostrophes and hyphens, keeping Chinese."""
    assert "wangzhuang" == normalize_query("Wang Zhuang")
    assert "xian" == normalize_query("  Xi'an ")
    assert "wangmingkou" == normalize_query("Wang-Ming-kou")
    assert "王庄村" == normalize_query(" 王庄 村 ")
