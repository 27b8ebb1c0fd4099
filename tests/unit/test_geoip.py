"""The geoip stage over City and ASN databases written here with mmdb-writer."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mmdb_writer import MMDBWriter
from netaddr import IPSet
from pydantic import ValidationError

from logpipe.errors import ConfigError
from logpipe.stages import geoip as geoip_module
from logpipe.stages.base import BuildContext
from logpipe.stages.geoip import GeoIPConfig, GeoIPStage

LONDON = {
    "city": {"geoname_id": 2643743, "names": {"en": "London", "de": "London"}},
    "continent": {"code": "EU", "geoname_id": 6255148, "names": {"en": "Europe", "de": "Europa"}},
    "country": {"geoname_id": 2635167, "iso_code": "GB", "names": {"en": "United Kingdom"}},
    "location": {"latitude": 51.5142, "longitude": -0.0931, "time_zone": "Europe/London"},
    "postal": {"code": "EC1A"},
    "subdivisions": [{"geoname_id": 6269131, "iso_code": "ENG", "names": {"en": "England"}}],
}
PARIS = {
    "city": {"names": {"en": "Paris"}},
    "continent": {"code": "EU", "names": {"en": "Europe"}},
    "country": {"iso_code": "FR", "names": {"en": "France"}},
    "location": {"latitude": 48.8534, "longitude": 2.3488, "time_zone": "Europe/Paris"},
    "subdivisions": [{"iso_code": "IDF", "names": {"en": "Île-de-France"}}],
}
SYDNEY_V6 = {
    "country": {"iso_code": "AU", "names": {"en": "Australia"}},
    "location": {"latitude": -33.8688, "longitude": 151.209},
}


def write_db(path: Path, kind: str, networks: dict[str, dict]) -> Path:
    """Write a City- or ASN-layout database to `path` atomically (temp file, then rename)."""
    writer = MMDBWriter(ip_version=6, ipv4_compatible=True, database_type=kind, languages=["en"])
    for cidr, record in networks.items():
        writer.insert_network(IPSet([cidr]), record)
    tmp = path.with_suffix(".tmp")
    writer.to_db_file(str(tmp))
    os.replace(tmp, path)
    return path


@pytest.fixture
def dbs(tmp_path: Path) -> tuple[Path, Path]:
    city = write_db(
        tmp_path / "city.mmdb",
        "GeoLite2-City",
        {"81.2.69.0/24": LONDON, "2a02:2770::/32": SYDNEY_V6, "89.160.20.0/24": {}},
    )
    asn = write_db(
        tmp_path / "asn.mmdb",
        "GeoLite2-ASN",
        {
            "81.2.69.0/24": {
                "autonomous_system_number": 20712,
                "autonomous_system_organization": "Andrews & Arnold Ltd",
            }
        },
    )
    return city, asn


def build(dbs: tuple[Path, Path], **options) -> GeoIPStage:
    city, asn = dbs
    options.setdefault("city_database", str(city))
    options.setdefault("asn_database", str(asn))
    return GeoIPStage(GeoIPConfig(**options), BuildContext(base_dir=city.parent))


def test_city_and_asn_fields(dbs) -> None:
    event = {"source": {"ip": "81.2.69.142"}}
    assert build(dbs)([event]) == [event]
    assert event == {
        "source": {
            "ip": "81.2.69.142",
            "geo": {
                "city_name": "London",
                "country_name": "United Kingdom",
                "country_iso_code": "GB",
                "continent_name": "Europe",
                "continent_code": "EU",
                "region_name": "England",
                "region_iso_code": "GB-ENG",
                "postal_code": "EC1A",
                "timezone": "Europe/London",
                "location": {"lat": 51.5142, "lon": -0.0931},
            },
            "as": {"number": 20712, "organization": {"name": "Andrews & Arnold Ltd"}},
        }
    }


def test_ipv6_and_partial_records(dbs) -> None:
    event = {"source": {"ip": "2a02:2770::21a:4aff:feb3:2ee"}}
    build(dbs)([event])
    assert event["source"]["geo"] == {
        "country_name": "Australia",
        "country_iso_code": "AU",
        "location": {"lat": -33.8688, "lon": 151.209},
    }
    assert "as" not in event["source"] and "tags" not in event


def test_legacy_fields_copy_the_address_into_source_ip(dbs) -> None:
    stage = build(dbs)
    events = [
        {"client_ip": "81.2.69.142"},
        {"clientip": "::ffff:81.2.69.142"},
        {"client": {"ip": "81.2.69.142, 10.0.0.1"}},  # X-Forwarded-For: the client is first
        {"source": {"ip": "-"}, "client_ip": "81.2.69.142"},
        {"source": {"ip": "81.2.69.142"}, "client_ip": "8.8.8.8"},
    ]
    stage(events)
    for event in events:
        assert event["source"]["ip"] == "81.2.69.142"
        assert event["source"]["geo"]["city_name"] == "London"
        assert "tags" not in event
    assert events[0]["client_ip"] == "81.2.69.142"  # the original stays


@pytest.mark.parametrize(
    "ip",
    [
        "10.1.2.3",
        "172.16.5.4",
        "192.168.1.10",
        "127.0.0.1",
        "169.254.10.20",
        "224.0.0.251",
        "239.255.255.250",
        "240.0.0.1",
        "255.255.255.255",
        "0.0.0.0",
        "100.64.1.1",
        "192.0.2.44",
        "::1",
        "fe80::1%eth0",
        "fc00::5",
        "ff02::1",
        "2001:db8::1",
    ],
)
def test_non_public_addresses_are_skipped_quietly(dbs, ip: str) -> None:
    event = {"source": {"ip": ip}}
    build(dbs)([event])
    assert "geo" not in event["source"] and "tags" not in event


@pytest.mark.parametrize(
    "value", ["not-an-ip", "999.1.1.1", "81.2.69", "1.2.3.4:80", 12345, {"a": 1}]
)
def test_malformed_addresses_are_tagged(dbs, value) -> None:
    event = {"source": {"ip": value}}
    build(dbs)([event])
    assert event["tags"] == ["_geoip_invalid_ip"]
    assert event["source"]["ip"] == value


def test_lookup_that_finds_nothing_is_tagged(dbs) -> None:
    events = [{"source": {"ip": "8.8.8.8"}}, {"source": {"ip": "89.160.20.112"}}]  # empty record
    build(dbs)(events)
    for event in events:
        assert event["tags"] == ["_geoip_lookup_failure"]
        assert "geo" not in event["source"]


def test_absent_or_empty_source_does_nothing(dbs) -> None:
    events = [{"message": "x"}, {"source": {"ip": ""}}, {"client_ip": "-"}, {"client_ip": []}]
    before = [dict(e) for e in events]
    build(dbs)(events)
    assert events == before


def test_legacy_scalar_target_is_kept(dbs) -> None:
    event = {"source": "nginx", "client_ip": "81.2.69.142"}
    build(dbs)([event])
    assert event["source"] == "nginx"
    assert event["tags"] == ["_geoip_lookup_failure"]


def test_custom_fields_target_and_locale(dbs) -> None:
    event = {"remote_addr": "81.2.69.142"}
    build(dbs, fields=("remote_addr",), target="client", locale="de")([event])
    assert event["client"]["geo"]["continent_name"] == "Europa"
    assert event["client"]["geo"]["country_name"] == "United Kingdom"  # falls back to en
    assert event["client"]["ip"] == "81.2.69.142"


def test_one_database_is_enough(dbs) -> None:
    _, asn = dbs
    only_asn = GeoIPStage(GeoIPConfig(asn_database=str(asn)), BuildContext())
    event = {"source": {"ip": "81.2.69.142"}}
    only_asn([event])
    assert event["source"] == {"ip": "81.2.69.142", "as": event["source"]["as"]}
    with pytest.raises(ValidationError, match="city_database"):
        GeoIPConfig()


def test_relative_paths_resolve_against_the_pipeline_folder(dbs) -> None:
    stage = GeoIPStage(GeoIPConfig(city_database="city.mmdb"), BuildContext(base_dir=dbs[0].parent))
    event = {"source": {"ip": "81.2.69.142"}}
    stage([event])
    assert event["source"]["geo"]["city_name"] == "London"


def test_missing_or_broken_database_is_a_config_error(tmp_path: Path, dbs) -> None:
    with pytest.raises(ConfigError, match=re.escape(str(tmp_path / "nope.mmdb"))):
        build(dbs, city_database=str(tmp_path / "nope.mmdb"))
    junk = tmp_path / "junk.mmdb"
    junk.write_bytes(b"not a database at all" * 10)
    with pytest.raises(ConfigError, match=r"junk\.mmdb"):
        build(dbs, asn_database=str(junk))


def test_cache_serves_repeats(dbs) -> None:
    stage = build(dbs)
    stage._native = None  # the Python's lookups (the native side's: test_geoip_native.py)
    looked_up = []
    find = stage._find
    stage._find = lambda raw: looked_up.append(raw) or find(raw)
    stage([{"source": {"ip": "81.2.69.142"}} for _ in range(50)])
    assert looked_up == ["81.2.69.142"]
    events = [{"source": {"ip": "81.2.69.142"}} for _ in range(2)]
    stage(events)
    assert events[0]["source"]["geo"] is not events[1]["source"]["geo"]  # no shared dicts
    assert events[0]["source"]["geo"]["location"] is not events[1]["source"]["geo"]["location"]


def test_a_full_cache_turns_over_and_keeps_the_address_asked_again(dbs) -> None:
    stage = build(dbs, cache_size=2)
    stage._native = None  # every lookup through `_find` (the native side: test_geoip_native)
    find = stage._find
    looked_up: list[str] = []
    stage._find = lambda raw: looked_up.append(raw) or find(raw)
    regular = "81.2.69.142"
    others = ["8.8.8.8", "1.1.1.1", "9.9.9.9", "4.4.4.4", "8.8.4.4"]
    events = [{"source": {"ip": ip}} for other in others for ip in (regular, other)]
    stage(events)
    assert all(event["source"] == events[0]["source"] for event in events[::2])
    assert looked_up == [regular, *others]  # the regular survived four turnovers
    assert len(stage._cache) <= 4  # two generations of 2


def test_uses_the_c_extension_reader(dbs) -> None:
    stage = build(dbs)
    assert type(stage._city.reader).__module__ == "maxminddb.extension"


def test_reload_when_the_file_is_replaced(dbs, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1000.0]
    monkeypatch.setattr(geoip_module.time, "monotonic", lambda: clock[0])
    city, _ = dbs
    stage = build(dbs, reload_check_seconds=5)
    first = [{"source": {"ip": "81.2.69.142"}, "n": i} for i in range(100)]
    assert len(stage(first)) == 100
    write_db(city, "GeoLite2-City", {"81.2.69.0/24": PARIS})

    clock[0] += 1  # within the check interval: still the old data (and still cached)
    batch = [{"source": {"ip": "81.2.69.142"}}]
    stage(batch)
    assert batch[0]["source"]["geo"]["city_name"] == "London"

    clock[0] += 5
    later = [{"source": {"ip": "81.2.69.142"}, "n": i} for i in range(100)]
    out = stage(later)
    assert len(out) == 100 and stage.reloads == 1
    for event in out:
        assert event["source"]["geo"]["city_name"] == "Paris"
        assert event["source"]["geo"]["region_iso_code"] == "FR-IDF"
        assert event["source"]["as"]["number"] == 20712  # the ASN database did not change
        assert "tags" not in event


def test_broken_replacement_keeps_the_old_reader(dbs) -> None:
    city, _ = dbs
    stage = build(dbs, reload_check_seconds=0)
    tmp = city.with_suffix(".part")
    tmp.write_bytes(b"\x00" * 64)
    os.replace(tmp, city)  # a bad file arrives
    batch = [{"source": {"ip": "81.2.69.142"}}]
    stage(batch)
    assert batch[0]["source"]["geo"]["city_name"] == "London" and stage.reloads == 0
    os.remove(city)  # and goes away
    stage(batch)
    write_db(city, "GeoLite2-City", {"81.2.69.0/24": PARIS})  # then a good one
    batch = [{"source": {"ip": "81.2.69.142"}}]
    stage(batch)
    assert batch[0]["source"]["geo"]["city_name"] == "Paris" and stage.reloads == 1


addresses = st.one_of(
    st.ip_addresses().map(str),
    st.text(max_size=40),
    st.integers(),
    st.none(),
    st.lists(st.text(max_size=20), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(addresses, addresses, st.sampled_from([None, "x", 1, []]))
def test_random_values_never_raise(dbs, ip, legacy, source) -> None:
    stage = build(dbs)
    event = {"client_ip": legacy, "source": {"ip": ip} if source is None else source}
    assert stage([event]) == [event]
    assert set(event.get("tags", [])) <= {"_geoip_invalid_ip", "_geoip_lookup_failure"}


def test_database_ages_come_from_build_epoch(dbs) -> None:
    ages = build(dbs).database_ages()
    assert set(ages) == {"city", "asn"}
    assert all(0 <= age < 3600 for age in ages.values())


def test_a_missing_database_refuses_the_pipeline_with_the_fetch_command(tmp_path) -> None:
    config = GeoIPConfig(city_database=str(tmp_path / "missing.mmdb"))
    with pytest.raises(ConfigError, match=r"scripts/geoip\.sh"):
        GeoIPStage(config, BuildContext())


def test_a_missing_database_is_tagged_when_data_is_optional(tmp_path, caplog) -> None:
    config = GeoIPConfig(city_database=str(tmp_path / "missing.mmdb"))
    stage = GeoIPStage(config, BuildContext(optional_data=True))
    assert "scripts/geoip.sh" in caplog.text
    events = stage([{"source": {"ip": "81.2.69.160"}}, {"message": "no address"}])
    assert events[0]["tags"] == ["_geoip_unavailable"]
    assert "tags" not in events[1]


def test_candidates_are_the_events_with_a_source_root() -> None:
    from logpipe.stages.geoip import _compile_filter

    events = [{"source": 1}, {"x": 1}, {"client_ip": "a"}, {}, {"k'ey": 1}]
    assert _compile_filter(["client_ip", "source", "source"])(events) == [events[0], events[2]]
    assert _compile_filter(["k'ey"])(events) == [events[4]]
    assert _compile_filter([])(events) == []


def _special_edges(version: int = 4) -> list[str]:
    """Both ends, and their neighbours, of every IPv4 or IPv6 block `ipaddress` treats
    specially (the stdlib's own lists, where this Python has them, and the stage's)."""
    import ipaddress

    if version == 4:
        constants, ours = ipaddress._IPv4Constants, geoip_module._IPV4_SPECIAL.networks
        more, address, size = ("100.64.0.0/10", "224.0.0.0/4"), ipaddress.IPv4Address, 2**32
    else:
        constants, ours = ipaddress._IPv6Constants, geoip_module._IPV6_SPECIAL.networks
        more, address, size = ("2000::/3", "ff00::/8"), ipaddress.IPv6Address, 2**128
    nets = [*ours, *map(ipaddress.ip_network, more)]
    for name in ("_private_networks", "_private_networks_exceptions", "_reserved_network",
                 "_reserved_networks"):  # fmt: skip
        found = getattr(constants, name, ())
        nets += found if isinstance(found, list | tuple) else [found]
    edges = []
    for net in nets:
        for n in (int(net.network_address), int(net.broadcast_address)):
            edges += [str(address(m)) for m in (n - 1, n, n + 1) if 0 <= m < size]
    return edges


@settings(max_examples=3000, deadline=None)
@given(
    st.integers(0, 2**32 - 1).map(lambda n: ".".join(str(n >> s & 255) for s in (24, 16, 8, 0)))
    | st.sampled_from(_special_edges())
    | st.text("0123456789.x \u0661", max_size=16)
)
def test_the_quick_ipv4_path_takes_only_what_ipaddress_calls_global(raw: str) -> None:
    quick_path_agrees(raw, 4)


@pytest.mark.parametrize("version", [4, 6])
def test_every_special_edge_is_judged_as_ipaddress_judges_it(version: int) -> None:
    taken = [raw for raw in _special_edges(version) if quick_path_agrees(raw, version)]
    assert len(taken) > 10  # the neighbours outside the blocks


def quick_path_agrees(raw: str, version: int) -> bool:
    """Whether the quick path takes `raw`; where it does, `ipaddress` reads the same global
    address from it, written the same way."""
    import ipaddress

    number = (geoip_module._public_ipv4 if version == 4 else geoip_module._public_ipv6)(raw)
    if number is None:
        return False
    ip = ipaddress.ip_address(raw)
    assert ip.version == version and str(ip) == raw and int(ip) == number, raw
    assert ip.is_global and not ip.is_multicast, raw
    assert getattr(ip, "ipv4_mapped", None) is None, raw
    return True


def count_reads(db) -> list:
    """Make `db` (a stage's `_Db`) record every lookup; the list of addresses asked for."""
    asked: list = []
    read = db.read

    def counted(ip, *rest):
        asked.append(ip)
        return read(ip, *rest)

    db.read = counted
    return asked


def test_a_network_record_serves_its_other_addresses_as_a_lookup_would(tmp_path: Path) -> None:
    """Addresses of /24 and /16 networks, a /25 inside a /16, and gaps: every result is what an
    uncached stage finds, while the databases are read once per network."""
    city = write_db(
        tmp_path / "city.mmdb",
        "GeoLite2-City",
        {
            "81.2.69.0/24": LONDON,
            "37.120.0.0/16": PARIS,
            "37.120.7.0/25": LONDON,
            "37.121.0.0/16": PARIS,  # one City record, two ASN ones: cached per /24
        },
    )
    asn = write_db(
        tmp_path / "asn.mmdb",
        "GeoLite2-ASN",
        {
            "37.120.0.0/17": {"autonomous_system_number": 1, "autonomous_system_organization": "x"},
            "37.121.0.0/17": {"autonomous_system_number": 2, "autonomous_system_organization": "y"},
        },
    )
    cached = build((city, asn))
    reads = count_reads(cached._city)
    addresses = [f"81.2.69.{n}" for n in range(0, 256, 5)] + [f"81.2.70.{n}" for n in range(9)]
    thirds = (0, 7, 127, 128, 200)
    addresses += [f"37.{c}.{a}.{b}" for c in (120, 121) for a in thirds for b in (1, 130)]
    for raw in addresses:
        [event] = cached([{"source": {"ip": raw}}])
        [alone] = build((city, asn), cache_size=0)([{"source": {"ip": raw}}])
        assert event == alone, raw
    # one read per /24 of 81.2.69-70 (each record spans it), per /24 of 37.120-121 (the ASN's
    # /17 and the /25 make the records narrower than /16), per half of 37.120.7
    assert len(reads) < len(addresses) / 3


def test_an_ipv6_network_record_serves_its_other_addresses_as_a_lookup_would(
    tmp_path: Path,
) -> None:
    """IPv6 /32 and /48 networks, a /56 inside a /32, an IPv4-mapped address and a gap."""
    city = write_db(
        tmp_path / "city.mmdb",
        "GeoLite2-City",
        {"2a02:2770::/32": SYDNEY_V6, "2a02:2771::/48": PARIS, "2a02:2772::/32": PARIS,
         "2a02:2772:0:100::/56": LONDON, "81.2.69.0/24": LONDON},
    )  # fmt: skip
    cached = build((city, city), asn_database=None)
    reads = count_reads(cached._city)
    addresses = [
        f"2a02:{net}:{a}::{b}"
        for net in ("2770", "2771", "2772", "2773")
        for a in ("0", "1:0", "0:100", "0:1ff", "ffff")
        for b in ("1", "abcd")
    ] + ["::ffff:81.2.69.7", "::ffff:81.2.69.200", "2a02:2772::ABCD"]
    for raw in addresses:
        [event] = cached([{"source": {"ip": raw}}])
        [alone] = build((city, city), asn_database=None, cache_size=0)([{"source": {"ip": raw}}])
        assert event == alone, raw
    import ipaddress

    for network in ("2a02:2770::/32", "2a02:2771::/48"):  # one record each: read once
        assert sum(ipaddress.ip_address(ip) in ipaddress.ip_network(network) for ip in reads) == 1
    assert len(reads) < len(addresses) / 2


def _sparse_ipv6(hextets: list[int]) -> str:
    """Hextets written uncompressed: `ipaddress` compresses the zeros, the quick path refuses."""
    return ":".join(f"{h:x}" for h in hextets)


def _canonical_ipv6(hextets: list[int]) -> str:
    import ipaddress

    return str(ipaddress.IPv6Address(sum(h << (16 * (7 - n)) for n, h in enumerate(hextets))))


_HEXTETS = st.lists(
    st.sampled_from([0, 0, 0, 1, 0x2001, 0x2A02, 0xDB8, 0xFFFF, 0x3FFF, 0x1FF, 0x200]),
    min_size=8,
    max_size=8,
)


@settings(max_examples=3000, deadline=None)
@given(
    _HEXTETS.map(_sparse_ipv6)
    | _HEXTETS.map(_canonical_ipv6)
    | st.integers(0, 2**128 - 1).map(lambda n: str(__import__("ipaddress").IPv6Address(n)))
    | st.sampled_from(_special_edges(6))
    | st.text("0123456789abcdefABCDEF:.%", max_size=24)
)
def test_the_quick_ipv6_path_takes_only_what_ipaddress_calls_global(raw: str) -> None:
    quick_path_agrees(raw, 6)


def test_the_quick_ipv6_path_reads_every_canonical_global_unicast_text() -> None:
    """`inet_ntop` writes what `ipaddress` writes, zero runs and ties included."""
    import ipaddress
    import random

    rng = random.Random(5952)
    taken = 0
    for _ in range(5000):
        hextets = [rng.choice([0, 0, 1, rng.randrange(1 << 16)]) for _ in range(8)]
        hextets[0] = rng.choice([0x2A02, 0x2600, 0x2C0F, 0x3FFE])
        ip = ipaddress.IPv6Address(sum(h << (16 * (7 - n)) for n, h in enumerate(hextets)))
        assert geoip_module._public_ipv6(str(ip)) == int(ip), str(ip)
        taken += 1
    assert taken == 5000
