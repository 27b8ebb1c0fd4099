"""The geoip stage's native common case (`GeoCommon`) leaves every event as the Python does."""

from __future__ import annotations

import copy
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logpipe.stages import geoip as geoip_module
from logpipe.stages.base import BuildContext
from logpipe.stages.geoip import GeoIPConfig, GeoIPStage
from tests.unit.test_geoip import LONDON, PARIS, SYDNEY_V6, write_db

needs_native = pytest.mark.skipif(
    geoip_module.GeoCommon is None or os.environ.get("LOGPIPE_GEOIP_NATIVE") == "0",
    reason="native geoip common case not built or turned off",
)
ADDRESSES = [
    "81.2.69.160",  # London
    "81.2.69.1",
    "89.160.20.5",  # an empty record: tagged
    "2a02:2770::1",  # Sydney, no city
    "2A02:2770::1",  # not canonical
    "192.168.1.1",  # private: skipped
    "::1",
    "8.8.8.8",  # in no network: tagged
    "not an address",
    "81.2.69.160, 10.0.0.1",  # a forwarded-for list
    " 81.2.69.160",
    "81.2.69.160\t",
    "-",
    "",
    "\u0661.2.3.4",
    "193.0.7.7",  # Paris, a /16
    "193.0.200.1",
    "081.2.69.160",  # a leading zero: not an address to inet_pton
    "81.2.69.016",
    "81.2.69",
    "81.2.69.160.",
    "81.2.69.256",
    "1.2.3.4.5",
    "100.64.0.1",  # shared address space: skipped
    "223.255.255.255",  # the last address before multicast, in no network
    "224.0.0.1",
]


@pytest.fixture
def city(tmp_path: Path) -> Path:
    networks = {"81.2.69.0/24": LONDON, "2a02:2770::/32": SYDNEY_V6, "89.160.20.0/24": {}}
    networks["193.0.0.0/16"] = PARIS
    return write_db(tmp_path / "city.mmdb", "GeoLite2-City", networks)


@pytest.fixture
def asn(tmp_path: Path) -> Path:
    record = {"autonomous_system_number": 3333, "autonomous_system_organization": "RIPE NCC"}
    return write_db(tmp_path / "asn.mmdb", "GeoLite2-ASN", {"193.0.0.0/16": record})


def build(city: Path, asn: Path | None = None, native: bool = True, **options) -> GeoIPStage:
    options.setdefault("fields", ["source.ip", "source.address", "client.ip", "client_ip"])
    config = GeoIPConfig(city_database=str(city), asn_database=str(asn) if asn else None, **options)
    stage = GeoIPStage(config, BuildContext(base_dir=city.parent))
    if not native:
        stage._native = None
    return stage


def same_as_python(events: list[dict], city: Path, asn: Path | None = None, **options) -> list:
    """The events through the stage twice (the second time every address is cached), with and
    without the native side: asserted equal."""
    python, native = build(city, asn, False, **options), build(city, asn, **options)
    expected = [python(copy.deepcopy(events)) for _ in range(2)]
    got = [native(copy.deepcopy(events)) for _ in range(2)]
    assert got == expected
    return got[1]


def test_the_extension_is_built_unless_turned_off(city):
    if os.environ.get("LOGPIPE_GEOIP_NATIVE") == "0":
        assert build(city)._native is None
    else:
        assert geoip_module.GeoCommon is not None, "logpipe._grokmatch is not built"
        assert build(city)._native is not None


@needs_native
def test_cached_addresses_are_finished_natively(city):
    stage = build(city)
    stage([{"source": {"ip": "81.2.69.160"}}, {"client_ip": "192.168.1.1"}])  # now cached
    events = [
        {"source": {"ip": "81.2.69.160"}},
        {"source": {"address": "81.2.69.160", "ip": None}},
        {"client_ip": "192.168.1.1", "source": {"ip": "-"}},
        {"message": "no address"},
        {"source": {"ip": "10.0.0.1"}},  # private, not cached yet: left to Python
    ]
    left = stage._native.run(events)
    assert left == [events[4]]
    assert events[0]["source"]["geo"]["city_name"] == "London"
    assert events[0]["source"]["geo"]["location"] == {"lat": 51.5142, "lon": -0.0931}
    assert events[1]["source"]["ip"] == "81.2.69.160"
    assert events[2]["source"] == {"ip": "192.168.1.1"}
    geo = events[0]["source"]["geo"]
    assert geo is not events[1]["source"]["geo"]  # each event its own copy


@needs_native
def test_new_public_ipv4_addresses_are_looked_up_natively(city, monkeypatch):
    converted = []
    convert = GeoIPStage._geo_items
    monkeypatch.setattr(GeoIPStage, "_geo_items", lambda s, r: converted.append(r) or convert(s, r))
    stage, python = build(city), build(city, native=False)
    addresses = ["81.2.69.160", "81.2.69.7", "193.0.0.1", "193.0.99.2", "81.2.69.160"]
    events = [{"source": {"ip": ip}} for ip in addresses]
    left = stage._native.run(events)
    assert left == []
    assert [e["source"]["geo"]["city_name"] for e in events] == [
        "London", "London", "Paris", "Paris", "London"
    ]  # fmt: skip
    assert len(converted) == 2  # one conversion per record, not per address or network
    others = ["2a02:2770::1", "10.0.0.1", "081.2.69.160", "89.160.20.5", "8.8.8.8"]
    more = [{"source": {"ip": ip}} for ip in others]
    assert stage._native.run(more) == more  # IPv6, private, invalid, nothing found: Python
    python([{"source": {"ip": ip}} for ip in addresses + others])
    stage(more)
    assert stage._cache.dicts == python._cache.dicts  # the same entries as the Python puts there
    assert stage._networks.dicts == python._networks.dicts
    assert stage._city.converted.dicts == python._city.converted.dicts


@needs_native
def test_native_lookups_keep_the_caches_within_their_size(city):
    stage, python = build(city, cache_size=2), build(city, native=False, cache_size=2)
    addresses = ["81.2.69.160", "193.0.0.1", "81.2.69.7", "193.0.99.2", "81.2.69.8"]
    for each in (stage, python):
        for ip in addresses:  # one at a time: the caches fill and turn over in one order
            each([{"source": {"ip": ip}}])
        assert len(each._cache) <= 4 and len(each._networks) <= 4  # two generations of 2
    assert stage._cache.dicts == python._cache.dicts
    assert stage._networks.dicts == python._networks.dicts
    assert stage._city.converted.dicts == python._city.converted.dicts
    assert list(stage._cache.dicts[0]) == ["81.2.69.8"]  # young: turned over at the fifth


@needs_native
def test_a_conversion_that_raises_is_left_to_python(city, monkeypatch):
    def refuse(record):
        if "Paris" in str(record):
            raise RuntimeError("refused")
        return ({"city_name": "Elsewhere"}, None)

    monkeypatch.setattr(GeoIPStage, "_geo_items", lambda s, r: refuse(r))
    stage = build(city)
    events = [{"source": {"ip": "193.0.0.1"}}, {"source": {"ip": "81.2.69.160"}}]
    assert stage._native.run(events) == [events[0]]
    assert events[1]["source"]["geo"] == {"city_name": "Elsewhere"}
    same_as_python([{"source": {"ip": "193.0.0.1"}}, {"source": {"ip": "81.2.69.1"}}], city)


@needs_native
def test_a_reloaded_database_is_looked_up_natively(city, monkeypatch):
    stage = build(city, reload_check_seconds=0)
    stage([{"source": {"ip": "81.2.69.160"}}])
    write_db(city, "GeoLite2-City", {"81.2.69.0/24": PARIS})
    event = {"source": {"ip": "81.2.69.161"}}
    stage([event])
    assert stage.reloads == 1
    assert event["source"]["geo"]["city_name"] == "Paris"
    assert stage._native.run([{"source": {"ip": "81.2.69.9"}}]) == []


@needs_native
@pytest.mark.parametrize("address", ADDRESSES)
@pytest.mark.parametrize(
    "shape",
    [
        lambda ip: {"source": {"ip": ip}},
        lambda ip: {"source": {"address": ip, "geo": {"name": "kept"}}},
        lambda ip: {"source": {"ip": ip, "geo": None}},
        lambda ip: {"source": {"ip": ip, "geo": "scalar"}},
        lambda ip: {"client_ip": ip},
        lambda ip: {"client_ip": ip, "source": None},
        lambda ip: {"client_ip": ip, "source": "a legacy scalar"},
        lambda ip: {"client": {"ip": [ip]}},
        lambda ip: {"client": {"ip": ip}, "source": {"ip": "-"}},
        lambda ip: {"client": "x", "client_ip": ip},
    ],
)
def test_each_address_in_each_shape_as_python(city, asn, address, shape):
    same_as_python([shape(address)], city)
    same_as_python([shape(address)], city, asn)  # AS fields: Python writes them
    same_as_python([shape(address)], city, target="client")


addresses = st.one_of(
    st.sampled_from(ADDRESSES),
    st.ip_addresses().map(str),
    st.ip_addresses(v=4).map(str),
    st.builds(
        "{}.{}".format,
        st.sampled_from(["81.2.69", "193.0.0", "193.0.255", "89.160.20"]),
        st.integers(0, 300),
    ),
    st.text(max_size=20),
    st.integers(),
    st.none(),
)
targets = st.one_of(
    st.none(),
    st.just("text"),
    st.dictionaries(
        st.sampled_from(["geo", "ip"]),
        st.one_of(st.none(), st.just({}), st.just("x"), st.just({"city_name": "old"})),
    ),
)


@needs_native
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(addresses, addresses, targets), min_size=1, max_size=12))
def test_any_batch_as_python(city, batch):
    events = []
    for source_ip, client_ip, target in batch:
        event: dict = {"client_ip": client_ip}
        if target is not None:
            event["source"] = copy.deepcopy(target)
            if isinstance(target, dict):
                event["source"]["ip"] = source_ip
        events.append(event)
    same_as_python(events, city)


@needs_native
@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.integers(1, 3),
    st.lists(
        st.builds(
            "{}.{}".format, st.sampled_from(["81.2.69", "193.0.7", "193.0.9"]), st.integers(1, 6)
        ),
        min_size=1,
        max_size=30,
    ),
)
def test_the_caches_turn_over_as_python_does(city, size, addresses):
    stage, python = build(city, cache_size=size), build(city, native=False, cache_size=size)
    for each in (stage, python):
        for ip in addresses:  # one batch each: every lookup, hit and turnover in one order
            each([{"source": {"ip": ip}}])
    for memo in ("_cache", "_networks"):
        native_dicts = [list(d.items()) for d in getattr(stage, memo).dicts]
        assert native_dicts == [list(d.items()) for d in getattr(python, memo).dicts]
    assert [list(d) for d in stage._city.converted.dicts] == [
        list(d) for d in python._city.converted.dicts
    ]
