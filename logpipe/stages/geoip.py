"""The `geoip` stage: `source.geo.*` and `source.as.*` from MaxMind-format City and ASN databases.

Reads with the `maxminddb` C extension (the reader under `geoip2`) and keeps raw records: no
model objects per lookup, and any City/ASN-layout database works (MaxMind, DB-IP Lite, ...).
A replaced database file (write a new file, then rename it over the old one) is reopened
between batches; the old reader serves until the new one opened cleanly.
Results are cached per address and per network (IPv4 /24 or /16, IPv6 /48 or /32) where the
databases give one record to the whole network (their prefix length says so), and per record,
each memo in two generations (`Generations`: what is asked for again survives turnover) of
`cache_size` entries, records' of half as many:
with the native extension, the search tree is walked and the record decoded in Rust (`MmdbTree`),
so a record many networks share (a city's) is decoded and converted once, and only the tree's
mapping of the file is read: the reader then only answers what the tree cannot (an IPv6 address
in an IPv4 database) and gives the metadata, so its pages are not resident a second time.
"""

from __future__ import annotations

import ipaddress
import logging
import mmap
import os
import socket
import time
from bisect import bisect_right
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, ClassVar

import maxminddb
from pydantic import Field, model_validator

from logpipe.errors import ConfigError
from logpipe.fields import add_tags, read_source, split_path
from logpipe.generations import Generations
from logpipe.native_switch import native_on
from logpipe.stages.base import BuildContext, EventStage, ReadsDatabases, StageConfig, Tags

log = logging.getLogger("logpipe.geoip")

try:  # the search tree's walk and the common case, when the native extension is built
    from logpipe._grokmatch import GeoCommon, MmdbTree
except ImportError:  # pragma: no cover - depends on the build
    GeoCommon = MmdbTree = None

try:  # the C extension, when the wheel has it
    import maxminddb.extension

    _MODE = maxminddb.MODE_MMAP_EXT
except ImportError:  # pragma: no cover - depends on the installed wheel
    _MODE = maxminddb.MODE_AUTO

_SKIP = "skip"  # private, loopback, link-local, multicast, reserved: nothing to look up
_INVALID = "invalid"
_ABSENT = ("", "-")


class _Blocks:
    """Address blocks (networks of one IP version), asked whether one holds an address."""

    def __init__(self, blocks: Iterable[str]) -> None:
        self.networks = sorted(ipaddress.ip_network(block) for block in blocks)
        self.starts = [int(net.network_address) for net in self.networks]
        self.ends = [int(net.broadcast_address) for net in self.networks]

    def hold(self, number: int) -> bool:
        """Whether one of the blocks holds the address `number`."""
        block = bisect_right(self.starts, number) - 1
        return block >= 0 and number <= self.ends[block]


# IANA special-purpose blocks that hold every IPv4 address `ipaddress` calls not global, and
# multicast and reserved space: an address outside them is looked up without asking `ipaddress`
# (whose answer, slower, decides inside them).
_IPV4_SPECIAL = _Blocks(
    (
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
        "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16",
        "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/3",
    )
)  # fmt: skip
# IPv6: only global unicast space (2000::/3) outside the special-purpose blocks in it.
_IPV6_SPECIAL = _Blocks(("2001::/23", "2001:db8::/32", "2002::/16", "3fff::/16"))
# Prefix lengths results are also cached at, narrowest first, by address size (IPv4, IPv6).
_NETWORK_LEVELS = {32: (24, 16), 128: (48, 32)}


class GeoIPConfig(StageConfig):
    """Databases, the fields to read an address from, and where results go."""

    city_database: str | None = None
    asn_database: str | None = None
    renamed: ClassVar[dict[str, str]] = {"source_fields": "fields"}
    fields: tuple[str, ...] = ("source.ip", "client.ip", "client_ip", "clientip")
    target: str = "source"
    locale: str = "en"
    cache_size: int = Field(10_000, ge=0)
    reload_check_seconds: float = Field(5.0, ge=0)
    tag_on_failure: Tags = ("_geoip_lookup_failure",)
    tag_on_invalid: Tags = ("_geoip_invalid_ip",)
    tag_on_unavailable: Tags = ("_geoip_unavailable",)

    @model_validator(mode="after")
    def _one_database(self) -> GeoIPConfig:
        if not self.city_database and not self.asn_database:
            raise ValueError("set city_database, asn_database or both")
        return self


def _open(
    context: BuildContext, path: str | None, records_kept: int, names: tuple[str, ...]
) -> _Db | None:
    """The database at `path` (relative to the pipeline file), None when none is configured;
    its records' `names` keep the languages `names`."""
    if not path:
        return None
    try:
        return _Db(context.resolve(path), records_kept, names)
    except ConfigError as exc:
        raise ConfigError(
            f"{exc} (fetch DB-IP City Lite with scripts/geoip.sh, or point LOGPIPE_GEOIP_CITY "
            "at a MaxMind-format City database)"
        ) from None


class _Db:
    """One open database file, the file identity it was opened from, and its records converted
    so far, kept by their place in the file (`logpipe._grokmatch.MmdbTree` finds it)."""

    def __init__(self, path: Path, records_kept: int, names: tuple[str, ...]) -> None:
        """`names`: the languages the records' `names` maps keep (the others are not decoded)."""
        self.path = path
        self.names = names
        self.stamp = self._stamp()
        try:
            self.reader = maxminddb.open_database(str(path), _MODE)
        except (OSError, ValueError, maxminddb.InvalidDatabaseError) as exc:
            raise ConfigError(f"geoip: cannot open database {path}: {exc}") from None
        self.tree = _search_tree(path, self.stamp, self.reader, names) if records_kept else None
        # record value in the tree -> convert(record); a converted City record weighs several
        # address entries and serves many addresses: generations of half the size
        self.converted = Generations(max(1, records_kept // 2)) if records_kept else None

    def _stamp(self) -> tuple[int, int, int]:
        try:
            st = os.stat(self.path)
        except OSError as exc:
            raise ConfigError(f"geoip: cannot read database {self.path}: {exc}") from None
        return st.st_ino, st.st_mtime_ns, st.st_size

    def changed(self) -> bool:
        """Whether the file on disk is no longer the one opened (False while it is missing)."""
        try:
            return self._stamp() != self.stamp
        except ConfigError:
            return False

    def read(self, ip: Any, bits: int, number: int, convert: Callable[[Any], Any]) -> tuple:
        """(`convert` of the address's record, its network's prefix length); a record shared by
        many networks (a city's) is decoded and converted once."""
        spot = self.tree.find(number, bits) if self.tree is not None else None
        if spot is None:
            record, prefix = self.reader.get_with_prefix_len(ip)
            return convert(record), prefix
        place, prefix = spot
        converted: Generations = self.converted  # type: ignore[assignment]  # a tree has one
        known = converted.get(place)
        if known is None:
            try:
                record = self.tree.record(place)  # type: ignore[union-attr]
            except ValueError:  # a broken data section: the reader says what it makes of it
                record = self.reader.get_with_prefix_len(ip)[0]
            known = convert(record)
            converted.put(place, known)
        return known, prefix

    def close(self) -> None:
        """Close the reader and let the search tree's mapping go."""
        self.tree = None
        if self.converted is not None:
            self.converted.clear()
        self.reader.close()


def _search_tree(
    path: Path, stamp: tuple[int, int, int], reader: Any, names: tuple[str, ...]
) -> Any:
    """The database's search tree over a read-only mapping of the file the reader opened, or
    None: without the native extension, or where the file changed between the two opens."""
    if MmdbTree is None:
        return None
    try:
        with open(path, "rb") as file:
            st = os.fstat(file.fileno())
            if (st.st_ino, st.st_mtime_ns, st.st_size) != stamp:
                return None  # replaced meanwhile: `changed()` reopens both soon
            mapped = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        meta = reader.metadata()
        return MmdbTree(mapped, meta.node_count, meta.record_size, meta.ip_version, list(names))
    except (OSError, ValueError):
        return None  # the reader alone still answers every lookup


def _compile_source(paths: tuple[str, ...]) -> Callable[[dict], str | None]:
    """`source(event)`: the address in the first of `paths` holding one (the first of a list,
    the client of an X-Forwarded-For list), `repr()` of a value that is no text, else None."""
    lines = ["def source(event):"]
    for path in paths:
        lines += [
            f"    value = {read_source(split_path(path))}",
            "    if value.__class__ is list:",
            "        value = value[0] if value else None",
            "    if value is not None:",
            "        if value.__class__ is not str and not isinstance(value, str):",
            "            return repr(value)",
            "        if ',' in value:",
            "            value = value.split(',', 1)[0]",
            "        value = value.strip()",
            "        if value not in ABSENT:",
            "            return value",
        ]
    lines.append("    return None")
    namespace: dict[str, Any] = {"ABSENT": _ABSENT}
    exec("\n".join(lines), namespace)
    return namespace["source"]


def _compile_filter(roots: Iterable[str]) -> Callable[[list[dict]], list[dict]]:
    """`with_source(events)`: the events holding one of `roots` as a key, by one generated test
    per event (a key lookup per root, in order)."""
    test = " or ".join(f"{root!r} in event" for root in dict.fromkeys(roots)) or "False"
    namespace: dict[str, Any] = {}
    exec(f"def with_source(events):\n    return [event for event in events if {test}]", namespace)
    return namespace["with_source"]


def _name(record: Any, locale: str) -> str | None:
    names = record.get("names") if isinstance(record, dict) else None
    if not isinstance(names, dict):
        return None
    return names.get(locale) or names.get("en")


def _city_fields(rec: dict, locale: str) -> tuple[dict[str, Any], tuple | None]:
    """ECS `geo` fields and (lat, lon) from a City-layout record."""
    country = rec.get("country") or rec.get("registered_country") or {}
    iso = country.get("iso_code")
    subs = rec.get("subdivisions") or [{}]
    region = subs[0] if isinstance(subs, list) and isinstance(subs[0], dict) else {}
    loc = rec.get("location") or {}
    items = {
        "city_name": _name(rec.get("city"), locale),
        "country_name": _name(country, locale),
        "country_iso_code": iso,
        "continent_name": _name(rec.get("continent"), locale),
        "continent_code": (rec.get("continent") or {}).get("code"),
        "region_name": _name(region, locale),
        "region_iso_code": f"{iso}-{region['iso_code']}" if iso and "iso_code" in region else None,
        "postal_code": (rec.get("postal") or {}).get("code"),
        "timezone": loc.get("time_zone"),
    }
    lat, lon = loc.get("latitude"), loc.get("longitude")
    latlon = (lat, lon) if lat is not None and lon is not None else None
    return {k: v for k, v in items.items() if v is not None}, latlon


def _as_items(record: Any) -> tuple:
    """The `as` fields of an ASN record, as (key, value) items; none for no record."""
    if not isinstance(record, dict):
        return ()
    return tuple(
        (k, v)
        for k, v in (
            ("number", record.get("autonomous_system_number")),
            ("organization", record.get("autonomous_system_organization")),
        )
        if v is not None
    )


class GeoIPStage(EventStage, ReadsDatabases):
    """Fill `<target>.geo` and `<target>.as` from the first source field holding an address."""

    Config = GeoIPConfig
    kind = "geoip"

    def __init__(self, config: GeoIPConfig, context: BuildContext) -> None:
        self.config = config
        self.failure_tags = config.tag_on_failure
        self.unavailable: str | None = None
        try:
            names = (config.locale, "en")  # all `_name` reads
            self._city = _open(context, config.city_database, config.cache_size, names)
            self._asn = _open(context, config.asn_database, config.cache_size, names)
        except ConfigError as exc:
            if not context.optional_data:
                raise
            self._city = self._asn = None
            self.unavailable = str(exc)
            tagged = ", ".join(config.tag_on_unavailable)
            log.warning("%s; events with an address are tagged %s", exc, tagged)
        self._target = config.target
        self._tag_invalid = config.tag_on_invalid
        self._tag_unavailable = config.tag_on_unavailable
        self._source = _compile_source(config.fields)
        self._with_source = _compile_filter(split_path(path)[0] for path in config.fields)
        size = config.cache_size
        # raw address -> what _find returns
        self._cache = Generations(size) if size else None
        # (address bits, level, address >> (bits - level)) -> (geo, latlon, as items) of the
        # whole network
        self._networks = Generations(size) if size else None
        self._next_check = time.monotonic() + config.reload_check_seconds
        self.reloads = 0
        self._native = self._native_common()

    def _native_common(self) -> Any:
        """The common case in Rust (`GeoCommon`: cached addresses written without Python), where
        the extension is built, the databases are there and addresses are cached; else None."""
        if GeoCommon is None or self.unavailable is not None or not self.config.cache_size:
            return None
        if not native_on("GEOIP"):
            return None
        paths = [list(split_path(path)) for path in self.config.fields]
        return GeoCommon(paths, self._target, self._cache, _SKIP, self._native_misses())

    def _native_misses(self) -> tuple | None:
        """What `GeoCommon` needs to look up new public IPv4 addresses as `_lookup` does: each
        database's search tree, converted records and conversion, the network entries and the
        special-purpose blocks; None where a database has no search tree (its reader answers,
        in Python)."""
        parts = []
        for db, convert in ((self._city, self._geo_items), (self._asn, _as_items)):
            if db is not None and db.tree is None:
                return None
            parts.append(None if db is None else (db.tree, db.converted, convert))
        blocks = list(zip(_IPV4_SPECIAL.starts, _IPV4_SPECIAL.ends, strict=True))
        return (*parts, self._networks, blocks)

    def _lookup(self, raw: str) -> tuple | str:
        """`_find(raw)`, from the cache when seen."""
        cache = self._cache
        if cache is None:
            return self._find(raw)
        found = cache.get(raw)
        if found is None:
            found = self._find(raw)
            cache.put(raw, found)
        return found

    def _find(self, raw: str) -> tuple | str:
        """`_INVALID`, (ip, `_SKIP`) or (ip, geo fields, (lat, lon) or None, as items)."""
        number = _public_ipv4(raw)
        if number is not None:  # `raw` is then the address's own text
            return (raw, *self._records(raw, 32, number))
        number = _public_ipv6(raw)
        if number is not None:
            return (raw, *self._records(raw, 128, number))
        try:
            ip = ipaddress.ip_address(raw)
        except ValueError:
            return _INVALID
        if ip.version == 6 and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if ip.is_multicast or not ip.is_global:
            return (str(ip), _SKIP)
        return (str(ip), *self._records(ip, ip.max_prefixlen, int(ip)))

    def _records(self, ip: Any, bits: int, number: int) -> tuple:
        """(geo fields, (lat, lon) or None, as items) of a global address of `bits` bits, from
        its network's entry where one is kept; kept for the widest cached network (/24 or /16,
        /48 or /32) that both databases' records span."""
        levels = _NETWORK_LEVELS[bits]
        networks = self._networks
        if networks is not None:
            for level in levels:
                known = networks.get((bits, level, number >> (bits - level)))
                if known is not None:
                    return known
        geo: dict = {}
        latlon = None
        asn: tuple = ()
        widest = 0  # the longest prefix of the records read: they hold for that network
        if self._city is not None:
            (geo, latlon), prefix = self._city.read(ip, bits, number, self._geo_items)
            widest = max(widest, prefix)
        if self._asn is not None:
            asn, prefix = self._asn.read(ip, bits, number, _as_items)
            widest = max(widest, prefix)
        found = (geo, latlon, asn)
        if networks is not None:
            for level in reversed(levels):  # the widest network the records span
                if widest <= level:
                    networks.put((bits, level, number >> (bits - level)), found)
                    break
        return found

    def _geo_items(self, record: Any) -> tuple[dict[str, Any], tuple | None]:
        """`_city_fields` of a City record in the configured locale; nothing for no record."""
        return _city_fields(record, self.config.locale) if isinstance(record, dict) else ({}, None)

    def database_ages(self) -> dict[str, float]:
        """Seconds since each open database was built (its metadata's build epoch)."""
        now = time.time()
        return {
            name: now - db.reader.metadata().build_epoch
            for name, db in (("city", self._city), ("asn", self._asn))
            if db is not None
        }

    def _maybe_reload(self) -> None:
        """Reopen databases whose file changed; keep the old reader if the new file fails."""
        for attr in ("_city", "_asn"):
            db: _Db | None = getattr(self, attr)
            if db is None or not db.changed():
                continue
            try:
                fresh = _Db(db.path, self.config.cache_size, db.names)
            except ConfigError:
                continue  # half-written or unreadable: retry at the next check
            setattr(self, attr, fresh)
            db.close()
            if self._cache is not None and self._networks is not None:
                self._cache.clear()
                self._networks.clear()
            self.reloads += 1
            self._native = self._native_common()  # it held the old database's records

    def candidates(self, events: list[dict]) -> list[dict]:
        """The events holding a source field's root that the native common case leaves (all of
        them without it); replaced databases are reopened first."""
        now = time.monotonic()
        if now >= self._next_check:
            self._next_check = now + self.config.reload_check_seconds
            self._maybe_reload()
        if self._native is not None:
            events = self._native.run(events)
        return self._with_source(events)

    def apply(self, event: dict) -> None:
        """Write what `_find` found for the event's address (cached) into the event."""
        raw = self._source(event)
        if raw is None:
            return
        found = self._lookup(raw)
        if found is _INVALID:
            add_tags(event, self._tag_invalid)
            return
        target = event.get(self._target)
        if target is None:
            target = event[self._target] = {}
        elif target.__class__ is not dict and not isinstance(target, dict):
            add_tags(event, self.failure_tags)  # a legacy scalar field: keep it, say why
            return
        target["ip"] = found[0]
        if found[1] is _SKIP:
            return
        if self.unavailable is not None:
            add_tags(event, self._tag_unavailable)
            return
        _, geo_fields, latlon, as_items = found
        if geo_fields or latlon is not None:
            geo = target.get("geo")
            if geo is None:
                geo = target["geo"] = geo_fields.copy()
            else:
                if geo.__class__ is not dict and not isinstance(geo, dict):
                    geo = target["geo"] = {}
                geo.update(geo_fields)
            if latlon is not None:
                geo["location"] = {"lat": latlon[0], "lon": latlon[1]}
        elif not as_items:
            add_tags(event, self.failure_tags)
            return
        if as_items:
            asd = dict(as_items)
            org = asd.pop("organization", None)
            if org is not None:
                asd["organization"] = {"name": org}
            target["as"] = asd


def _public_ipv4(raw: str) -> int | None:
    """The address as a number when `raw` is an IPv4 address in its own canonical text outside
    every special-purpose block (a global unicast address), else None."""
    try:
        number = int.from_bytes(socket.inet_pton(socket.AF_INET, raw), "big")
    except (OSError, ValueError, UnicodeError):  # not strictly dotted decimal
        return None
    return None if _IPV4_SPECIAL.hold(number) else number


def _public_ipv6(raw: str) -> int | None:
    """The address as a number when `raw` is an IPv6 address in its own canonical text (RFC
    5952, as `ipaddress` writes it) in global unicast space outside its special-purpose blocks,
    else None."""
    try:
        packed = socket.inet_pton(socket.AF_INET6, raw)
    except (OSError, ValueError, UnicodeError):  # not an address without a zone
        return None
    number = int.from_bytes(packed, "big")
    if number >> 125 != 1 or socket.inet_ntop(socket.AF_INET6, packed) != raw:
        return None  # outside 2000::/3, or not written canonically
    return None if _IPV6_SPECIAL.hold(number) else number
