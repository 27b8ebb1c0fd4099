"""The `security` stage: tags attacks, scanners and authentication failures with ECS rule fields."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from ipaddress import ip_address
from typing import ClassVar, Literal

from pydantic import Field

from logpipe.errors import ConfigError
from logpipe.fields import add_tag, add_tags, read_source, split_path
from logpipe.hyperscan_db import block_database
from logpipe.metadata import kafka_origin
from logpipe.normalize_text import JOIN, NEEDS_NORMALIZING, normalize
from logpipe.security_prefilter import Found, SecurityPrefilter
from logpipe.security_rules import BRUTE_FORCE, Rule, builtin_rules, load_rules
from logpipe.stages.base import BuildContext, EventStage, StageConfig
from logpipe.userregex import UserRegex

DEFAULT_FIELDS = (
    "message",
    "url.original",
    "url.query",
    "user_agent.original",
    "http.request.body.content",
    "path",
    "request",
    "agent",
)
TIMEOUT_TAG = "_security_unless_timeout"
# Fields the stage writes when it marks an event: never scanned in the batch pass.
_WRITTEN_ROOTS = frozenset(("tags", "rule", "_rule", "event", "_event"))
_MARKS_CACHE_MAX = 1024
MAX_SOURCE_CHARS = 64  # a source address longer than this is cut: memory never grows with input


class BruteForceConfig(StageConfig):
    """`threshold` authentication failures from one source within `window_seconds` (event time)."""

    threshold: int = Field(5, ge=2, le=1000)
    window_seconds: float = Field(60.0, gt=0)
    max_sources: int = Field(20_000, ge=1)


class SecurityConfig(StageConfig):
    """Fields scanned, extra rules, disabled rule ids, and the brute-force window."""

    fields: tuple[str, ...] = DEFAULT_FIELDS
    rules_file: str | None = None
    disable: tuple[str, ...] = ()
    status_fields: tuple[str, ...] = ("http.response.status_code", "status")
    source_fields: tuple[str, ...] = ("source.ip", "client.ip", "clientip")
    brute_force: BruteForceConfig = BruteForceConfig()
    tag: str = "security_alert"
    max_scan_chars: int = Field(65_536, ge=64)
    renamed: ClassVar[dict[str, str]] = {"engine": "matcher"}
    matcher: Literal["auto", "hyperscan", "re2"] = "auto"


class SecurityStage(EventStage):
    """Scan configured fields with every rule in one pass per value; tag and categorize hits.

    With Hyperscan, one scan per rule set over the whole batch (`SecurityPrefilter`) first picks
    the events and fields a rule can match, mostly with the patterns each matches; the rest are
    scanned value by value."""

    Config = SecurityConfig
    kind = "security"

    def __init__(self, config: SecurityConfig, context: BuildContext) -> None:
        self.config = config
        self.rules = _select_rules(config, context)
        order = {rule.id: n for n, rule in enumerate(self.rules)}
        self._order = order.__getitem__
        wanted = [(rule, pattern) for rule in self.rules for pattern in rule.patterns]
        self._fields = []  # (root key, rest of path, scanner of the rules that apply there)
        scanners: dict[tuple[int, ...], FieldScanner] = {}
        for path in config.fields if wanted else ():
            allowed = tuple(
                n for n, (r, _) in enumerate(wanted) if r.fields is None or path in r.fields
            )
            if allowed:
                if allowed not in scanners:
                    scanners[allowed] = FieldScanner([wanted[n] for n in allowed], config.matcher)
                scanner = scanners[allowed]
                self._fields.append((*_root_rest(path), scanner.scan, scanner))
        self._unless = {r.id: UserRegex(r.unless).search for r in self.rules if r.unless}
        self._status = {code: rule for rule in self.rules for code in rule.status}
        self._status_paths = [_root_rest(p) for p in config.status_fields] if self._status else []
        self._status_rule = _status_reader(self._status_paths, self._status)
        self._source = _source_reader(config.source_fields)
        self._brute = BRUTE_FORCE if BRUTE_FORCE.id in order else None
        self._auth_failures = frozenset(r.id for r in self.rules if r.auth_failure)
        bf = config.brute_force
        self._window = FailureWindow(bf.threshold, bf.window_seconds, bf.max_sources)
        self._prefilter = _prefilter(self, config)
        self._marks: dict[tuple[str, ...], _Marks] = {}  # by the fired rules' ids, in order
        self._scan_fields: dict[int, Found | None] = {}  # this batch's: id(event) -> fields

    def candidates(self, events: list[dict]) -> list[dict]:
        """The events a scan flagged (each with its fields to look at, by number, and the
        patterns each matches where known; None: scan every field) and those whose status to
        check; without the batch scan, every event."""
        scan: dict[int, Found | None] | None = None
        if self._prefilter is not None:
            try:
                scan, status = self._prefilter(events)
            except Exception:  # never expected: the per-event path decides alone
                scan = None
        if scan is None:
            scan, status = dict.fromkeys(range(len(events))), set()
        self._scan_fields = {id(events[n]): fields for n, fields in scan.items()}
        return [events[n] for n in sorted(scan.keys() | status)]

    def apply(self, event: dict) -> None:
        scan_fields = self._scan_fields
        key = id(event)
        self._finish(event, self._field_hits(event, scan_fields[key]) if key in scan_fields else {})

    def _field_hits(self, event: dict, fields: Found | None) -> dict[str, Rule]:
        """The rules the event's scanned fields (those numbered in `fields`, None: all) match
        after `unless`, by id; a field is read and scanned only where the batch scan left it
        unknown."""
        hits: dict[str, Rule] = {}
        limit = self.config.max_scan_chars
        for number, (root, rest, scan, scanner) in enumerate(self._fields):
            if fields is None:
                known = None
            elif number in fields:
                known = fields[number]
            else:
                continue
            if known is not None:
                text, rules = known[0], scanner.rules_at(known[1])
            else:
                value = event.get(root)
                if value is None or (rest and (value := _get(value, rest)) is None):
                    continue
                if value.__class__ is not str:
                    if not isinstance(value, list):
                        continue
                    value = "\n".join(v for v in value if isinstance(v, str))
                if len(value) > limit:
                    value = value[:limit]
                found = scan(value)  # the common clean value stops here
                if not found:
                    continue
                text, rules = scanner.resolve(value, found)
            for rule in rules:
                if rule.id in hits:
                    continue
                unless = self._unless.get(rule.id)
                try:
                    excluded = unless is not None and unless(text)
                except TimeoutError:  # a user pattern too slow on this text: keep the alert
                    add_tag(event, TIMEOUT_TAG)
                    excluded = False
                if not excluded:
                    hits[rule.id] = rule
        return hits

    def _finish(self, event: dict, hits: dict[str, Rule]) -> None:
        """Add the status rule, then brute force, and mark the event with what fired."""
        rule = self._status_rule(event)
        if rule is not None:
            hits.setdefault(rule.id, rule)
        elif not hits:
            return
        if self._brute and not self._auth_failures.isdisjoint(hits):
            source = self._source(event)
            if source and self._window.hit(source, _event_time(event)):
                hits[self._brute.id] = self._brute
        ids = tuple(hits) if len(hits) == 1 else tuple(sorted(hits, key=self._order))
        marks = self._marks.get(ids)
        if marks is None:
            if len(self._marks) >= _MARKS_CACHE_MAX:
                self._marks.clear()
            marks = self._marks[ids] = _Marks(self.config.tag, [hits[i] for i in ids])
        marks.write(event)


class _Marks:
    """What a set of fired rules (in rule order) writes into an event, worked out once; each
    list without repeats, as `_extend` leaves it in a fresh node."""

    def __init__(self, tag: str, rules: list[Rule]) -> None:
        self.tags = list(dict.fromkeys([tag, *(r.id for r in rules)]))
        self.ids = list(dict.fromkeys(r.id for r in rules))
        self.names = list(dict.fromkeys(r.name for r in rules))
        self.categories = list(dict.fromkeys(r.category for r in rules))
        self.event_categories = list(dict.fromkeys(c for r in rules for c in r.event_category))
        self.event_types = list(dict.fromkeys(t for r in rules for t in r.event_type))
        self.outcome = next((r.event_outcome for r in rules if r.event_outcome), None)

    def write(self, event: dict) -> None:
        """Add the tags and the `rule` and `event` fields, keeping what the event has."""
        if "tags" in event:
            add_tags(event, self.tags)
        else:
            event["tags"] = self.tags.copy()
        if event.get("rule") is None:
            event["rule"] = {
                "id": self.ids.copy(),
                "name": self.names.copy(),
                "category": self.categories.copy(),
            }
        else:
            node = _node(event, "rule")
            _extend(node, "id", self.ids)
            _extend(node, "name", self.names)
            _extend(node, "category", self.categories)
        ecs = event.get("event")
        if ecs is None:
            ecs = event["event"] = {
                "category": self.event_categories.copy(),
                "type": self.event_types.copy(),
            }
        else:
            ecs = _node(event, "event")
            _extend(ecs, "category", self.event_categories)
            _extend(ecs, "type", self.event_types)
        if self.outcome:
            ecs.setdefault("outcome", self.outcome)


class FieldScanner:
    """The rules that apply to one field, in one linear-time scan of the value; a value that
    `NEEDS_NORMALIZING` (one more pattern of the same scan) is normalised and scanned again."""

    def __init__(self, wanted: Sequence[tuple[Rule, str]], matcher: str) -> None:
        self._rules = [rule for rule, _ in wanted]
        self._normal_id = len(wanted)
        self.patterns = tuple((pattern, rule.caseless) for rule, pattern in wanted)
        self.scan = build_scanner([*self.patterns, (NEEDS_NORMALIZING, False)], matcher)

    def resolve(self, text: str, found: list[int]) -> tuple[str, list[Rule]]:
        """From `scan(text)`'s indexes: the text the rules saw (the value, and its normal form
        if different) and the rules that matched either."""
        if self._normal_id in found:
            normal = normalize(text)
            if normal != text:
                found = [*found, *self.scan(normal)]
                text = f"{text}{JOIN}{normal}"
        rules = self._rules
        return text, [rules[n] for n in found if n != self._normal_id]

    def rules_at(self, indexes: list[int]) -> list[Rule]:
        """The rules of these pattern indexes (the normalising test's is not one of them)."""
        rules = self._rules
        return [rules[n] for n in indexes]


class FailureWindow:
    """Per-source times of the last `threshold` failures; least recently seen sources go.

    Keys are cut to `MAX_SOURCE_CHARS` and values are small tuples, so memory stays bounded.
    """

    def __init__(self, threshold: int, window: float, max_sources: int) -> None:
        self.threshold, self.window, self.max_sources = threshold, window, max_sources
        self._seen: OrderedDict[str, tuple[float, ...]] = OrderedDict()

    def hit(self, source: str, when: float) -> bool:
        """Record a failure; True when `threshold` of them fall within the window."""
        source = source[:MAX_SOURCE_CHARS]
        times = self._seen.pop(source, ())
        times = (*times[1 - self.threshold :], when)
        self._seen[source] = times
        if len(self._seen) > self.max_sources:
            self._seen.popitem(last=False)
        return len(times) == self.threshold and max(times) - min(times) <= self.window

    def __len__(self) -> int:
        return len(self._seen)


def build_scanner(patterns: Sequence[tuple[str, bool]], matcher: str) -> Callable[[str], list[int]]:
    """A linear-time multi-pattern matcher (Hyperscan, else an RE2 set) giving matched indexes."""
    if not patterns:
        return lambda text: []
    if matcher in ("auto", "hyperscan"):
        try:
            import hyperscan
        except ImportError:
            if matcher == "hyperscan":
                msg = "security matcher hyperscan: the hyperscan package is missing"
                raise ConfigError(msg) from None
        else:
            return _hyperscan(hyperscan, patterns)
    return _re2(patterns)


def _hyperscan(hs, patterns: Sequence[tuple[str, bool]]) -> Callable[[str], list[int]]:
    base = hs.HS_FLAG_SINGLEMATCH
    flagged = [(p, base | hs.HS_FLAG_CASELESS if caseless else base) for p, caseless in patterns]
    db = block_database(hs, flagged, "security")
    scratch = hs.Scratch(db)

    def on_match(n: int, start: int, end: int, flags: int, found: list[int]) -> None:
        found.append(n)

    def scan(text: str) -> list[int]:
        found: list[int] = []
        db.scan(
            text.encode("utf-8", "replace"),
            match_event_handler=on_match,
            context=found,
            scratch=scratch,
        )
        return found

    return scan


def _prefilter(stage: SecurityStage, config: SecurityConfig) -> SecurityPrefilter | None:
    """The whole-batch scan (Hyperscan only). None also when a scanned field is one the stage
    writes: an earlier event's marks must not change what a later event is scanned for."""
    if not stage._fields or config.matcher == "re2":
        return None
    if {root for root, *_ in stage._fields} & _WRITTEN_ROOTS:
        return None
    try:
        import hyperscan
    except ImportError:
        return None
    fields = [((root, rest), scanner.patterns) for root, rest, _, scanner in stage._fields]
    return SecurityPrefilter(
        hyperscan,
        fields,
        stage._status_paths,
        frozenset(stage._status),
        config.max_scan_chars,
    )


def _re2(patterns: Sequence[tuple[str, bool]]) -> Callable[[str], list[int]]:
    import re2

    options = re2.Options()
    options.max_mem = 256 << 20
    options.log_errors = False
    matcher = re2.Set.SearchSet(options)
    for pattern, caseless in patterns:
        try:
            matcher.Add(f"(?i:{pattern})" if caseless else pattern)
        except Exception as exc:  # re2 raises its own Error type
            raise ConfigError(f"security pattern {pattern!r}: {exc}") from None
    matcher.Compile()
    match = matcher.Match
    return lambda text: match(text) or []


def _select_rules(config: SecurityConfig, context: BuildContext) -> list[Rule]:
    rules = {rule.id: rule for rule in builtin_rules()}
    if config.rules_file:
        path = context.resolve(config.rules_file)
        for rule in load_rules(path):
            if rule.fields is not None and not set(rule.fields) & set(config.fields):
                raise ConfigError(
                    f"security rules file {path}: rule {rule.id}: none of its fields "
                    f"{list(rule.fields)} is scanned (stage `fields`: {list(config.fields)})"
                )
            rules[rule.id] = rule
    unknown = sorted(set(config.disable) - set(rules))
    if unknown:
        raise ConfigError(f"security: disable names unknown rule ids: {', '.join(unknown)}")
    return [rule for rule_id, rule in rules.items() if rule_id not in config.disable]


def source_from_message(message: str) -> str | None:
    """The client address in sshd/PAM lines: `from 1.2.3.4 port` or `rhost=1.2.3.4`."""
    for marker, end in ((" from ", " "), ("rhost=", " ")):
        at = message.find(marker)
        if at >= 0:
            start = at + len(marker)
            stop = message.find(end, start)
            candidate = message[start : stop if stop >= 0 else len(message)]
            address = (
                _address(candidate) if len(candidate) <= MAX_SOURCE_CHARS else _parsed(candidate)
            )
            if address is not None:
                return address
    return None


def _parsed(text: str) -> str | None:
    """`text` as an IP address in its canonical spelling, or None."""
    try:
        return str(ip_address(text))
    except ValueError:
        return None


_address = lru_cache(maxsize=1024)(_parsed)  # short candidates repeat: sources, not messages


def _root_rest(path: str) -> tuple[str, tuple[str, ...]]:
    root, *rest = split_path(path)
    return root, tuple(rest)


def _get(node: object, parts: tuple[str, ...]) -> object:
    for part in parts:
        if node.__class__ is not dict:
            return None
        node = node.get(part)  # type: ignore[union-attr]
    return node


def _status_reader(
    paths: Sequence[tuple[str, tuple[str, ...]]], rules: dict[int, Rule]
) -> Callable[[dict], Rule | None]:
    """`status_rule(event)`: the rule of the first status field whose code has one, else None;
    generated once as an inline read of each path."""
    lines = ["def status_rule(event):"]
    for number, (root, rest) in enumerate(paths):
        lines += [
            f"    value = {read_source((root, *rest), temp=f'n{number}_')}",
            "    if value is not None:",
            "        rule = get(value) if value.__class__ is int else get(code(value))",
            "        if rule is not None:",
            "            return rule",
        ]
    lines.append("    return None")
    scope: dict = {"get": rules.get, "code": _status_code}
    exec("\n".join(lines), scope)  # field names enter the source as quoted literals only
    return scope["status_rule"]


def _source_reader(paths: Sequence[str]) -> Callable[[dict], str | None]:
    """`source(event)`: the first non-empty text (or a list's first item) of the source fields,
    else the client address in an sshd/PAM message; generated once as an inline read."""
    lines = ["def source(event):"]
    for number, path in enumerate(paths):
        lines += [
            f"    value = {read_source(split_path(path), temp=f'n{number}_')}",
            "    if isinstance(value, list):",
            "        value = value[0] if value else None",
            "    if isinstance(value, str) and value:",
            "        return value",
        ]
    lines += [
        "    message = event.get('message')",
        "    return from_message(message) if isinstance(message, str) else None",
    ]
    scope: dict = {"from_message": source_from_message}
    exec("\n".join(lines), scope)  # field names enter the source as quoted literals only
    return scope["source"]


def _status_code(value: object) -> int | None:
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _event_time(event: dict) -> float:
    stamp = event.get("@timestamp")
    if isinstance(stamp, str):
        try:
            parsed = datetime.fromisoformat(stamp)
        except ValueError:
            pass
        else:
            return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()
    kafka = kafka_origin(event.get("@metadata"))
    if kafka is not None and isinstance(kafka.get("timestamp"), int | float):
        return kafka["timestamp"] / 1000
    return time.time()


def _node(event: dict, key: str) -> dict:
    """The object at `key`; a scalar already there moves aside to `_<key>`, as `fields.put` does."""
    node = event.get(key)
    if not isinstance(node, dict):
        if node is not None:
            event["_" + key] = node
        node = event[key] = {}
    return node


def _extend(node: dict, key: str, values: list[str]) -> None:
    have = node.get(key)
    if have is None:
        have = node[key] = []
    elif not isinstance(have, list):
        have = node[key] = [have]
    for value in values:
        if value not in have:
            have.append(value)
