"""The native search-tree walk (`logpipe._grokmatch.MmdbTree`) and the geoip record cache on it."""

from __future__ import annotations

import ipaddress
import mmap
import os
import random
from pathlib import Path

import maxminddb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logpipe.stages import geoip
from logpipe.stages.base import BuildContext
from logpipe.stages.geoip import GeoIPConfig, GeoIPStage
from tests.unit.test_geoip import LONDON, SYDNEY_V6, write_db

MmdbTree = pytest.importorskip("logpipe._grokmatch").MmdbTree
REAL_DB = Path(os.environ.get("LOGPIPE_CACHE", Path.home() / ".cache" / "logpipe"))
REAL_DB = REAL_DB / "geoip" / "dbip-city-lite.mmdb"


def _node(record_size: int, left: int, right: int) -> bytes:
    """One node of a search tree, as the MaxMind DB format lays out each record size."""
    if record_size == 24:
        return left.to_bytes(3, "big") + right.to_bytes(3, "big")
    if record_size == 28:
        middle = ((left >> 24) << 4) | (right >> 24)
        low = left & 0xFFFFFF, right & 0xFFFFFF
        return low[0].to_bytes(3, "big") + bytes([middle]) + low[1].to_bytes(3, "big")
    return left.to_bytes(4, "big") + right.to_bytes(4, "big")


@pytest.mark.parametrize(
    ("record_size", "data"), [(24, 0xFEDCBA), (28, 0x0FEDCBA9), (32, 0xFEDCBA98)]
)
def test_each_record_size_is_read_as_the_format_lays_it_out(record_size: int, data: int) -> None:
    # node 0: 0... -> node 1, 1... -> data; node 1: 00... -> nothing, 01... -> other data
    tree = _node(record_size, 1, data) + _node(record_size, 2, data - 1)
    walk = MmdbTree(tree, 2, record_size, 4)
    assert walk.find(0x80000000, 32) == (data, 1)
    assert walk.find(0x7FFFFFFF, 32) == (data - 1, 2)
    assert walk.find(0x3FFFFFFF, 32) == (2, 2)  # the node count: no data for 00...
    assert walk.find(1 << 127, 128) is None  # IPv6 in an IPv4 tree: the reader says why


def test_a_tree_cut_short_leaves_the_lookup_to_the_reader() -> None:
    tree = _node(24, 1, 100)  # claims two nodes, holds one
    assert MmdbTree(tree, 2, 24, 4).find(0, 32) is None
    with pytest.raises(ValueError, match="cut short"):
        MmdbTree(tree, 2, 24, 6)  # the IPv4 subtree lies past the end
    with pytest.raises(ValueError, match="record size 20"):
        MmdbTree(tree, 2, 20, 4)


def _typed(value: object) -> object:
    """`value` with the type of every part in it (`True == 1`, `1.0 == 1` in plain equality)."""
    if isinstance(value, dict):
        return {key: _typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_typed(item) for item in value]
    return (type(value).__name__, value)


def _names_kept(value: object, languages: list[str]) -> object:
    """`value` with each `names` map in it cut to `languages`."""
    if isinstance(value, dict):
        return {
            key: {k: v for k, v in item.items() if k in languages}
            if key == "names" and isinstance(item, dict)
            else _names_kept(item, languages)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_names_kept(item, languages) for item in value]
    return value


def _agrees_with_the_reader(path: Path, addresses: list[str]) -> int:
    """Assert the walk finds each address's network as the C reader does, one tree value per
    record, and decodes the record as the reader does (given languages, each `names` map cut to
    them); the number of distinct records."""
    reader = maxminddb.open_database(str(path), maxminddb.MODE_MMAP_EXT)
    meta = reader.metadata()
    with open(path, "rb") as file:
        mapped = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    walk = MmdbTree(mapped, meta.node_count, meta.record_size, meta.ip_version)
    languages = ["de", "en"]
    named = MmdbTree(mapped, meta.node_count, meta.record_size, meta.ip_version, languages)
    records: dict[int, object] = {}
    for raw in addresses:
        ip = ipaddress.ip_address(raw)
        record, prefix = reader.get_with_prefix_len(raw)
        value, found_prefix = walk.find(int(ip), ip.max_prefixlen)
        assert found_prefix == prefix, raw
        assert (value == meta.node_count) == (record is None), raw
        assert records.setdefault(value, record) == record, raw
        assert _typed(walk.record(value)) == _typed(record), raw
        assert _typed(named.record(value)) == _typed(_names_kept(record, languages)), raw
    reader.close()
    return len(records)


def test_the_walk_agrees_with_the_reader_on_a_written_database(tmp_path: Path) -> None:
    shared = {"city": {"names": {"en": "Shared"}}, "country": {"iso_code": "GB"}}
    networks = {
        "81.2.69.0/24": LONDON,
        "81.2.70.0/23": shared,
        "5.6.0.0/16": shared,
        "203.0.113.128/25": shared,
        "2a02:2770::/32": SYDNEY_V6,
    }
    path = write_db(tmp_path / "city.mmdb", "GeoLite2-City", networks)
    addresses = []
    for cidr in networks:
        net = ipaddress.ip_network(cidr)
        addresses += [str(net[0]), str(net[-1]), str(net[0] - 1), str(net[-1] + 1)]
    rng = random.Random(7)
    addresses += [str(ipaddress.IPv4Address(rng.getrandbits(32))) for _ in range(2000)]
    addresses += [str(ipaddress.IPv6Address((1 << 125) | rng.getrandbits(125))) for _ in range(500)]
    assert _agrees_with_the_reader(path, addresses) == 4  # LONDON, shared, SYDNEY, nothing


def test_every_field_type_decodes_as_the_reader_decodes_it(tmp_path: Path) -> None:
    from mmdb_writer import MmdbF32, MmdbF64, MmdbI32, MmdbU16, MmdbU32, MmdbU64, MmdbU128

    record = {
        "u16": MmdbU16(65535), "u32": MmdbU32(2**32 - 1), "u64": MmdbU64(2**64 - 1),
        "u128": MmdbU128(2**128 - 1), "i32": MmdbI32(-(2**31)), "i32b": MmdbI32(7),
        "zero": MmdbU32(0), "f64": MmdbF64(-33.8688), "f32": MmdbF32(1.1), "yes": True,
        "no": False, "bytes": b"\x00\xff", "empty": "", "text": "Zürich " * 60,
        "list": [1, "two", [3.5, {"deep": {"deeper": ["x" * 300]}}], []], "map": {},
        "long": ["y" * 70_000],
    }  # fmt: skip
    path = write_db(tmp_path / "types.mmdb", "GeoLite2-City", {"81.2.69.0/24": record})
    assert _agrees_with_the_reader(path, ["81.2.69.1", "81.2.70.1", "::1"]) == 2


@pytest.mark.skipif(not REAL_DB.exists(), reason="no DB-IP database: run scripts/geoip.sh")
def test_the_walk_agrees_with_the_reader_on_the_real_database() -> None:
    rng = random.Random(11)
    addresses = [str(ipaddress.IPv4Address(rng.getrandbits(32))) for _ in range(20_000)]
    addresses += [
        str(ipaddress.IPv6Address((1 << 125) | rng.getrandbits(125))) for _ in range(5000)
    ]
    assert _agrees_with_the_reader(REAL_DB, addresses) > 1000


class _CountingReader:
    """A reader that counts the records it decodes."""

    def __init__(self, reader) -> None:
        self.reader, self.decoded = reader, 0

    def get_with_prefix_len(self, ip):
        self.decoded += 1
        return self.reader.get_with_prefix_len(ip)

    def __getattr__(self, name: str):
        return getattr(self.reader, name)


class _CountingTree:
    """A search tree that counts the records it decodes."""

    def __init__(self, tree) -> None:
        self.tree, self.decoded = tree, 0

    def find(self, number: int, bits: int):
        return self.tree.find(number, bits)

    def record(self, value: int):
        self.decoded += 1
        return self.tree.record(value)


def _stage(path: Path, **options) -> GeoIPStage:
    config = GeoIPConfig(city_database=str(path), asn_database=None, **options)
    return GeoIPStage(config, BuildContext(base_dir=path.parent))


def test_networks_sharing_a_record_decode_it_once(tmp_path: Path) -> None:
    shared = {"city": {"names": {"en": "Shared"}}, "country": {"iso_code": "NL"}}
    nets = {f"{n}.1.0.0/16": shared for n in (5, 31, 37, 46, 62)} | {"81.2.69.0/24": LONDON}
    path = write_db(tmp_path / "city.mmdb", "GeoLite2-City", nets)
    stage = _stage(path)
    reader = stage._city.reader = _CountingReader(stage._city.reader)
    counting = stage._city.tree = _CountingTree(stage._city.tree)
    stage._native = None  # the Python's reads (the native side's: test_geoip_native.py)
    addresses = [f"{n}.1.{k}.9" for n in (5, 31, 37, 46, 62) for k in (1, 2)] + ["81.2.69.160"]
    events = stage([{"source": {"ip": ip}} for ip in addresses])
    assert counting.decoded == 2  # one per record, not per network (six) or address (eleven)
    assert reader.decoded == 0  # the tree decodes: the reader's mapping is left alone
    alone = _stage(path, cache_size=0)([{"source": {"ip": ip}} for ip in addresses])
    assert events == alone
    assert events[0]["source"]["geo"]["city_name"] == "Shared"
    assert events[-1]["source"]["geo"]["city_name"] == "London"


@pytest.mark.parametrize("locale", ["de", "en", "fr"])
def test_the_languages_not_kept_leave_the_fields_as_the_reader_makes_them(
    tmp_path: Path, locale: str
) -> None:
    names = {"en": "Europe", "de": "Europa", "fr": "Europe", "ja": "ヨーロッパ", "ru": "Европа"}
    record = {**LONDON, "continent": {"code": "EU", "names": names}}
    shared = {"country": {"iso_code": "NL", "names": names}}  # one names map, written once
    nets = {"81.2.69.0/24": record, "5.1.0.0/16": shared, "31.1.0.0/16": shared}
    path = write_db(tmp_path / "city.mmdb", "GeoLite2-City", nets)
    addresses = ["81.2.69.160", "5.1.2.3", "31.1.9.9", "8.8.8.8"]
    events = [{"source": {"ip": ip}} for ip in addresses]
    stage = _stage(path, locale=locale)
    assert stage._city.tree is not None
    read = _stage(path, locale=locale, cache_size=0)  # the reader's full records
    assert stage(events) == read([{"source": {"ip": ip}} for ip in addresses])
    assert events[0]["source"]["geo"]["continent_name"] == names[locale]
    kept = stage._city.converted.dicts[0]  # what the tree decoded, converted
    assert kept and all(fields for fields, _ in kept.values() if fields)


def test_without_the_native_walk_every_network_decodes(tmp_path: Path, monkeypatch) -> None:
    shared = {"city": {"names": {"en": "Shared"}}}
    path = write_db(
        tmp_path / "city.mmdb", "GeoLite2-City", {"5.1.0.0/16": shared, "31.1.0.0/16": shared}
    )
    monkeypatch.setattr(geoip, "MmdbTree", None)
    stage = _stage(path)
    counting = stage._city.reader = _CountingReader(stage._city.reader)
    events = stage([{"source": {"ip": ip}} for ip in ("5.1.0.1", "31.1.0.1")])
    assert counting.decoded == 2
    assert [e["source"]["geo"]["city_name"] for e in events] == ["Shared", "Shared"]


@settings(max_examples=300, deadline=None)
@given(
    st.binary(max_size=96),
    st.integers(0, 2**32),
    st.sampled_from([24, 28, 32]),
    st.sampled_from([4, 6]),
    st.integers(0, 2**128 - 1),
)
def test_any_bytes_give_an_answer_or_none_never_a_crash(
    tree: bytes, node_count: int, record_size: int, ip_version: int, number: int
) -> None:
    """A broken or hostile file: the walk refuses it at build time or answers within the bytes."""
    try:
        walk = MmdbTree(tree, node_count, record_size, ip_version)
    except ValueError:
        return
    for bits, address in ((32, number & 0xFFFFFFFF), (128, number)):
        found = walk.find(address, bits)
        assert found is None or (found[0] >= node_count and 0 <= found[1] <= bits)
        if found is not None:
            try:
                walk.record(found[0])  # decodes within the bytes or says they are broken
            except ValueError as exc:
                assert "broken" in str(exc) or "too large" in str(exc)


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=200), st.integers(0, 220))
def test_any_data_section_decodes_or_is_called_broken_never_a_crash(data: bytes, at: int) -> None:
    """Hostile record bytes (pointer loops, sizes past the end, deep nesting): a value or a
    ValueError that says the data section is broken."""
    for names in (None, ["en"]):
        walk = MmdbTree(_node(24, 1, 1) + bytes(16) + data, 1, 24, 4, names)
        try:
            walk.record(1 + 16 + at)
        except ValueError as exc:
            assert "broken" in str(exc)


def test_a_names_map_behind_a_pointer_keeps_only_the_languages_asked_for() -> None:
    def text(value: str) -> bytes:
        return bytes([0x40 | len(value)]) + value.encode()

    # {"names": <pointer to {"en": "A", "de": "B"}>, "ja": "C"}; the pointed map at offset 14
    data = bytes([0xE2]) + text("names") + bytes([0x20, 14]) + text("ja") + text("C")
    data += bytes([0xE2]) + text("en") + text("A") + text("de") + text("B")
    tree = _node(24, 1, 1) + bytes(16) + data
    assert MmdbTree(tree, 1, 24, 4).record(17) == {"names": {"en": "A", "de": "B"}, "ja": "C"}
    assert MmdbTree(tree, 1, 24, 4, ["en"]).record(17) == {"names": {"en": "A"}, "ja": "C"}


def test_a_pointer_loop_is_broken_not_endless() -> None:
    loop = bytes([0b00100000, 0])  # a pointer to the data section's first byte: itself
    walk = MmdbTree(_node(24, 1, 1) + bytes(16) + loop, 1, 24, 4)
    with pytest.raises(ValueError, match="nest too deep"):
        walk.record(1 + 16)


def test_a_record_value_inside_the_separator_or_an_unknown_extended_type_is_broken() -> None:
    walk = MmdbTree(_node(24, 1, 1) + bytes(16) + bytes([0, 255]), 1, 24, 4)
    for value in range(2, 1 + 16):  # past the node count, before the data section
        with pytest.raises(ValueError, match="outside the data section"):
            walk.record(value)
    with pytest.raises(ValueError, match="unknown type"):
        walk.record(1 + 16)  # extended type 7 + 255


def test_map_keys_behind_pointers_are_read_and_a_key_that_is_no_text_is_broken() -> None:
    def text(value: str) -> bytes:
        return bytes([0x40 | len(value)]) + value.encode()

    # {<pointer to "en">: "A", <pointer to "de">: "B"}, the two keys' texts at offsets 0 and 3
    data = text("en") + text("de") + bytes([0xE2, 0x20, 0]) + text("A") + bytes([0x20, 3])
    data += text("B")
    tree = _node(24, 1, 1) + bytes(16) + data
    assert MmdbTree(tree, 1, 24, 4).record(1 + 16 + 6) == {"en": "A", "de": "B"}
    number_key = bytes([0xE1, 0xA1, 7]) + text("A")  # {7: "A"}: a uint16 as the key
    walk = MmdbTree(_node(24, 1, 1) + bytes(16) + number_key, 1, 24, 4)
    with pytest.raises(ValueError, match="a map key that is not a string"):
        walk.record(1 + 16)
