"""Builds the real-format corpus (`<source>.jsonl`) from the collected lines in `raw/`.

Run: python tests/corpus/real_logs/build.py

The messages in `raw/` are copied from public sources (the `ref` directive above them says where
from, `licence` under which terms). This script only works out, for each message, the fields the
correct ECS document should carry, with small reference parsers of its own (independent of
logpipe's grok library: the corpus must not be graded by the code it grades), and wraps some bare
lines in documented shipper envelopes for the envelope sources. Every expected value can be
checked by hand against the message; README.md gives the rules (year, zone, level mapping).

Raw file syntax:
- `<source>.lines`: one message per line; `<source>.blocks`: messages separated by a line `#%%`.
- `#% key: value` lines set provenance for the messages after them: `ref`, `licence`, `received`
  (the Kafka timestamp the message arrives with; default: the event time plus one minute),
  `kind` (which reference parser works out the expectations; default: the source name), `note`,
  `expect` (a JSON object merged over the computed expectations of the next message only).
"""

from __future__ import annotations

import calendar
import csv
import io
import json
import re
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).parent
RAW = HERE / "raw"

MONTHS = {m: i for i, m in enumerate(calendar.month_abbr) if m}

# ---------------------------------------------------------------------------------------------
# helpers


def iso(dt: datetime) -> str:
    """UTC ISO 8601 with milliseconds, as the document should carry it."""
    dt = dt.astimezone(UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def parse_iso(text: str) -> datetime:
    text = text.strip().replace(" ", "T", 1)
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    m = re.match(r"(.*T\d\d:\d\d:\d\d)(\.\d+)?(.*)$", text)
    assert m, text
    frac = (m.group(2) or ".0")[1:7].ljust(6, "0")
    dt = datetime.fromisoformat(m.group(1) + "." + frac + (m.group(3) or ""))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)  # no zone in the line: UTC (README, "Zones")
    return dt


def yearless(month: str, day: str, clock: str, ctx: dict) -> datetime:
    """A time without a year: the latest such time not more than a day after the Kafka time.

    Without an explicit `received`, the raw file's `year` directive (the year the collection
    documents) gives the year, and the message is received a minute after the event.
    """
    hms, _, frac = clock.partition(".")
    h, mi, s = (int(x) for x in hms.split(":"))
    us = int((frac or "0")[:6].ljust(6, "0"))
    if ctx.get("received") is None:
        return datetime(int(ctx["year"]), MONTHS[month], int(day), h, mi, s, us, tzinfo=UTC)
    received = ctx["received"]
    for year in (received.year + 1, received.year, received.year - 1):
        dt = datetime(year, MONTHS[month], int(day), h, mi, s, us, tzinfo=UTC)
        if dt <= received + timedelta(days=1):
            return dt
    raise ValueError((month, day, clock))


IPV4 = r"(?:\d{1,3}\.){3}\d{1,3}"
IP_RE = re.compile(rf"^(?:{IPV4}|[0-9a-fA-F:]*:[0-9a-fA-F:.]+)$")


def is_ip(text: str) -> bool:
    return bool(IP_RE.match(text))


LEVELS_SYSLOG = ["emergency", "alert", "critical", "error", "warning", "notice", "info", "debug"]

# ---------------------------------------------------------------------------------------------
# reference parsers: message -> (expected fields, event time or None)

ACCESS_RE = re.compile(
    r'^(?P<client>\S+) (?P<ident>\S+) (?P<user>\S+) \[(?P<ts>[^\]]+)\] "(?P<req>[^"]*)" '
    r'(?P<status>\d{3}) (?P<bytes>\d+|-)(?: "(?P<ref>[^"]*)" "(?P<ua>[^"]*)")?'
)
HTTPDATE_RE = re.compile(r"(\d\d)/(\w{3})/(\d{4}):(\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)")


def httpdate(text: str) -> datetime:
    d, mon, y, h, mi, s, sign, zh, zm = HTTPDATE_RE.match(text).groups()
    off = timedelta(hours=int(zh), minutes=int(zm)) * (1 if sign == "+" else -1)
    return datetime(int(y), MONTHS[mon], int(d), int(h), int(mi), int(s), tzinfo=timezone(off))


def access(msg: str, ctx: dict) -> tuple[dict, datetime | None]:
    m = ACCESS_RE.match(msg)
    assert m, msg
    ts = httpdate(m["ts"])
    e: dict = {"@timestamp": iso(ts), "message": msg}
    if is_ip(m["client"]):
        e["source.ip"] = m["client"]
    else:
        e["source.address"] = m["client"]
    if m["user"] != "-":
        e["user.name"] = m["user"]
    parts = m["req"].split(" ")
    if len(parts) == 3 and parts[2].startswith("HTTP/"):
        e["http.request.method"] = parts[0]
        e["url.original"] = parts[1]
        e["http.version"] = parts[2][5:]
    e["http.response.status_code"] = int(m["status"])
    if m["bytes"] != "-":
        e["http.response.body.bytes"] = int(m["bytes"])
    if m["ref"] not in (None, "-"):
        e["http.request.referrer"] = m["ref"]
    if m["ua"] not in (None, "-"):
        e["user_agent.original"] = m["ua"]
    return e, ts


APACHE_LEVELS = {
    "emerg": "emergency", "alert": "alert", "crit": "critical", "error": "error",
    "warn": "warning", "notice": "notice", "info": "info", "debug": "debug",
}  # fmt: skip
APACHE_ERR_RE = re.compile(
    r"^\[\w{3} (?P<mon>\w{3}) (?P<day>\d\d) (?P<clock>[\d:.]+) (?P<year>\d{4})\] "
    r"\[(?:(?P<module>[\w-]*):)?(?P<level>\w+)\] "
    r"(?:\[pid (?P<pid>\d+)(?::tid (?P<tid>\d+))?\] )?(?:\[client (?P<client>[^\]]+?)(?::\d+)?\] )?"
    r"(?P<msg>.*)$",
    re.S,
)


def apache_error(msg: str, ctx: dict) -> tuple[dict, datetime | None]:
    m = APACHE_ERR_RE.match(msg)
    assert m, msg
    hms, _, frac = m["clock"].partition(".")
    h, mi, s = (int(x) for x in hms.split(":"))
    ts = datetime(int(m["year"]), MONTHS[m["mon"]], int(m["day"]), h, mi, s,
                  int((frac or "0").ljust(6, "0")), tzinfo=UTC)  # fmt: skip
    level = m["level"]
    level = "trace" if level.startswith("trace") else APACHE_LEVELS[level]
    e = {"@timestamp": iso(ts), "log.level": level, "message": m["msg"]}
    if m["pid"]:
        e["process.pid"] = int(m["pid"])
    if m["tid"]:
        e["process.thread.id"] = int(m["tid"])
    if m["client"] and is_ip(m["client"]):
        e["source.ip"] = m["client"]
    return e, ts


NGINX_LEVELS = {
    "debug": "debug", "info": "info", "notice": "notice", "warn": "warning",
    "error": "error", "crit": "critical", "alert": "alert", "emerg": "emergency",
}  # fmt: skip
NGINX_ERR_RE = re.compile(
    r"^(?P<ts>\d{4}/\d\d/\d\d \d\d:\d\d:\d\d) \[(?P<level>\w+)\] (?P<pid>\d+)#(?P<tid>\d+): "
    r"(?:\*(?P<cid>\d+) )?(?P<msg>.*)$",
    re.S,
)


def nginx_error(msg: str, ctx: dict) -> tuple[dict, datetime | None]:
    m = NGINX_ERR_RE.match(msg)
    assert m, msg
    ts = datetime.strptime(m["ts"], "%Y/%m/%d %H:%M:%S").replace(tzinfo=UTC)
    e = {"@timestamp": iso(ts), "log.level": NGINX_LEVELS[m["level"]], "message": m["msg"],
         "process.pid": int(m["pid"]), "process.thread.id": int(m["tid"])}  # fmt: skip
    client = re.search(r", client: ([^,]+)", m["msg"])
    if client and is_ip(client.group(1)):
        e["source.ip"] = client.group(1)
    req = re.search(r', request: "(\S+) (\S+) HTTP/([\d.]+)"', m["msg"])
    if req:
        e["http.request.method"] = req.group(1)
        e["url.original"] = req.group(2)
    return e, ts


SYSLOG_RE = re.compile(
    r"^(?:<(?P<pri>\d{1,3})>)?(?P<mon>\w{3}) +(?P<day>\d{1,2}) (?P<clock>\d\d:\d\d:\d\d(?:\.\d+)?) "
    r"(?P<host>\S+) (?P<prog>[^\s\[:]+(?:\([^)]*\))?)(?:\[(?P<pid>\d+)\])?: ?(?P<msg>.*)$",
    re.S,
)


def pri_fields(pri: int) -> dict:
    return {"log.syslog.facility.code": pri // 8, "log.syslog.severity.code": pri % 8,
            "log.level": LEVELS_SYSLOG[pri % 8]}  # fmt: skip


def syslog_rfc3164(msg: str, ctx: dict) -> tuple[dict, datetime | None]:
    m = SYSLOG_RE.match(msg)
    assert m, msg
    ts = yearless(m["mon"], m["day"], m["clock"], ctx)
    e = {"@timestamp": iso(ts), "host.hostname": m["host"], "process.name": m["prog"],
         "message": m["msg"]}  # fmt: skip
    if m["pid"]:
        e["process.pid"] = int(m["pid"])
    if m["pri"]:
        e.update(pri_fields(int(m["pri"])))
    return e, ts


def kernel(msg: str, ctx: dict) -> tuple[dict, datetime | None]:
    if SYSLOG_RE.match(msg):
        return syslog_rfc3164(msg, ctx)
    raise AssertionError(msg)


SYSLOG5424_RE = re.compile(
    r"^<(?P<pri>\d{1,3})>(?P<ver>\d{1,2}) (?P<ts>\S+) (?P<host>\S+) (?P<app>\S+) (?P<procid>\S+) "
    r"(?P<msgid>\S+) (?P<sd>-|(?:\[(?:[^\]\\]|\\.)*\])+)(?: (?P<msg>.*))?$",
    re.S,
)


def syslog_rfc5424(msg: str, ctx: dict) -> tuple[dict, datetime | None]:
    m = SYSLOG5424_RE.match(msg)
    assert m, msg
    e = pri_fields(int(m["pri"]))
    ts = None
    if m["ts"] != "-":
        ts = parse_iso(m["ts"])
        e["@timestamp"] = iso(ts)
    if m["host"] != "-":
        e["host.hostname"] = m["host"]
    if m["app"] != "-":
        e["process.name"] = m["app"]
    if m["procid"].isdigit():
        e["process.pid"] = int(m["procid"])
    if m["msgid"] != "-":
        e["log.syslog.msgid"] = m["msgid"]
    body = (m["msg"] or "").lstrip(" ")
    if body.startswith("\ufeff"):
        body = body[1:]  # the BOM announcing UTF-8 is not part of the text (RFC 5424 6.4)
    e["message"] = body
    return e, ts


REDIS_LEVELS = {".": "debug", "-": "info", "*": "notice", "#": "warning"}
REDIS_RE = re.compile(
    r"^(?:(?P<pid>\d+):(?P<role>[XCSM]) |\[(?P<lpid>\d+)\] )?(?P<day>\d\d) (?P<mon>\w{3}) "
    r"(?:(?P<year>\d{4}) )?(?P<clock>\d\d:\d\d:\d\d(?:\.\d+)?) (?P<lvl>[.\-*#]) (?P<msg>.*)$",
    re.S,
)
REDIS_SIGNAL_RE = re.compile(r"^(?P<pid>\d+):signal-handler \((?P<epoch>\d+)\) (?P<msg>.*)$")


def redis(msg: str, ctx: dict) -> tuple[dict, datetime | None]:
    s = REDIS_SIGNAL_RE.match(msg)
    if s:
        ts = datetime.fromtimestamp(int(s["epoch"]), UTC)
        return {"@timestamp": iso(ts), "process.pid": int(s["pid"]), "message": s["msg"]}, ts
    m = REDIS_RE.match(msg)
    assert m, msg
    if m["year"]:
        hms, _, frac = m["clock"].partition(".")
        h, mi, sec = (int(x) for x in hms.split(":"))
        ts = datetime(int(m["year"]), MONTHS[m["mon"]], int(m["day"]), h, mi, sec,
                      int((frac or "0").ljust(6, "0")), tzinfo=UTC)  # fmt: skip
    else:
        ts = yearless(m["mon"], m["day"], m["clock"], ctx)
    e = {"@timestamp": iso(ts), "log.level": REDIS_LEVELS[m["lvl"]], "message": m["msg"]}
    pid = m["pid"] or m["lpid"]
    if pid:
        e["process.pid"] = int(pid)
    return e, ts


ZONES = {"UTC": 0, "GMT": 0, "CET": 1, "CEST": 2, "EET": 2, "EEST": 3, "MSK": 3, "EST": -5,
         "EDT": -4, "CST": -6, "CDT": -5, "PST": -8, "PDT": -7, "JST": 9}  # fmt: skip
PG_LEVELS = {"DEBUG": "debug", "DEBUG1": "debug", "DEBUG2": "debug", "DEBUG3": "debug",
             "DEBUG4": "debug", "DEBUG5": "debug", "LOG": "info", "INFO": "info",
             "NOTICE": "notice", "WARNING": "warning", "ERROR": "error", "FATAL": "critical",
             "PANIC": "critical"}  # fmt: skip
PG_TIME_RE = re.compile(
    r"^(?P<ts>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?) (?P<zone>[A-Z]{2,5}|[+-]\d\d(?::?\d\d)?)$"
)


def pg_time(text: str) -> datetime:
    m = PG_TIME_RE.match(text)
    assert m, text
    zone = m["zone"]
    if zone[0] in "+-":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        off = timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0)) * sign
    else:
        off = timedelta(hours=ZONES[zone])
    naive = parse_iso(m["ts"]).replace(tzinfo=None)
    return naive.replace(tzinfo=timezone(off))


PG_STDERR_RE = re.compile(
    r"^(?P<time>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? \S+) \[(?P<pid>\d+)\] "
    r"(?:(?P<user>[^@\s]*)@(?P<db>\S*) )?"
    r"(?P<sev>DEBUG[1-5]?|LOG|INFO|NOTICE|WARNING|ERROR|FATAL|PANIC|DETAIL|HINT|STATEMENT|CONTEXT"
    r"|QUERY|LOCATION):  (?P<msg>.*)$",
    re.S,
)


def pg_stderr(msg: str, ctx: dict) -> tuple[dict, datetime | None]:
    m = PG_STDERR_RE.match(msg)
    assert m, msg
    ts = pg_time(m["time"])
    e = {"@timestamp": iso(ts), "process.pid": int(m["pid"]), "message": m["msg"]}
    if m["sev"] in PG_LEVELS:
        e["log.level"] = PG_LEVELS[m["sev"]]
    if m["user"] and m["user"] != "[unknown]":
        e["user.name"] = m["user"]
    return e, ts


def pg_csv(msg: str, ctx: dict) -> tuple[dict, datetime | None]:
    row = next(csv.reader(io.StringIO(msg)))
    ts = pg_time(row[0])
    e = {"@timestamp": iso(ts), "process.pid": int(row[3]), "log.level": PG_LEVELS[row[11]],
         "message": row[13]}  # fmt: skip
    if row[1]:
        e["user.name"] = row[1]
    return e, ts


def given(msg: str, ctx: dict) -> tuple[dict, datetime | None]:
    """Expectations written by hand beside the message (raw/*.json); `message` defaults to the
    whole text after the entry's `header` (the log header the message text follows)."""
    e = dict(ctx["given"])
    if "message" not in e:
        header = ctx.get("header") or ""
        assert msg.startswith(header), (header, msg)
        e["message"] = msg[len(header) :]
    ts = parse_iso(e["@timestamp"]) if "@timestamp" in e else None
    return e, ts


JSON_LEVELS = {10: "trace", 20: "debug", 30: "info", 40: "warning", 50: "error", 60: "critical"}
TEXT_LEVELS = {
    "trace": "trace", "debug": "debug", "info": "info", "information": "info", "notice": "notice",
    "warn": "warning", "warning": "warning", "error": "error", "err": "error", "fatal": "critical",
    "critical": "critical", "crit": "critical", "panic": "critical", "dpanic": "critical",
    "alert": "alert", "emergency": "emergency", "emerg": "emergency", "verbose": "debug",
}  # fmt: skip
GO_TIME_RE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?) ([+-]\d{4}) \w+$")


def any_time(value: object) -> datetime:
    """A JSON logger's time value: epoch ms (pino), epoch s (zap), ISO 8601, Go's Time.String."""
    if isinstance(value, (int, float)):
        secs = value / 1000 if value > 1e11 else value
        return datetime.fromtimestamp(secs, UTC)
    text = str(value)
    m = GO_TIME_RE.match(text)
    if m:
        off = m.group(2)
        return parse_iso(f"{m.group(1)}{off[:3]}:{off[3:]}")
    return parse_iso(text)


def json_app(msg: str, ctx: dict) -> tuple[dict, datetime | None]:
    doc = json.loads(msg)
    e: dict = {}
    for key in ("msg", "message", "event", "@m", "@mt"):
        if isinstance(doc.get(key), str):
            e["message"] = doc[key]
            break
    level = doc.get("level", doc.get("@l"))
    if isinstance(level, int):
        e["log.level"] = JSON_LEVELS[level]
    elif isinstance(level, str):
        e["log.level"] = TEXT_LEVELS[level.lower()]
    ts = None
    for key in ("@timestamp", "timestamp", "time", "ts", "@t"):
        if key in doc:
            ts = any_time(doc[key])
            e["@timestamp"] = iso(ts)
            break
    if isinstance(doc.get("pid"), int):
        e["process.pid"] = doc["pid"]
    if isinstance(doc.get("hostname"), str):
        e["host.hostname"] = doc["hostname"]
    for key in ("logger", "name", "logger_name"):
        if isinstance(doc.get(key), str):
            e["log.logger"] = doc[key]
            break
    for key in ("user_id", "event_type", "response_time", "path", "status", "client_ip"):
        if key in doc:  # the replaced deployment's fields stay for its Kibana queries (DESIGN.md)
            e[key] = doc[key]
    return e, ts


LVL = r"(?P<level>TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL|CRITICAL)"


def _text_event(m: re.Match, ts: datetime, **extra: object) -> tuple[dict, datetime]:
    e = {"@timestamp": iso(ts), "log.level": TEXT_LEVELS[m["level"].lower()], "message": m["msg"]}
    e.update({k: v for k, v in extra.items() if v not in (None, "")})
    return e, ts


SPRING_RE = re.compile(
    rf"^(?P<ts>\d{{4}}-\d\d-\d\d[ T]\S+)\s+{LVL} (?P<pid>\d+) --- "
    r"\[\s*(?P<thread>.*?)\] (?P<logger>\S+)\s*: (?P<msg>.*)$",
    re.S,
)


def spring_boot(msg: str, ctx: dict) -> tuple[dict, datetime | None]:
    m = SPRING_RE.match(msg)
    assert m, msg
    return _text_event(m, parse_iso(m["ts"]), **{"process.pid": int(m["pid"]),
                       "process.thread.name": m["thread"], "log.logger": m["logger"]})  # fmt: skip


ZK_RE = re.compile(
    rf"^(?P<ts>\S+ \S+) - {LVL}\s+\[(?P<thread>.*):(?P<cls>[\w$]+)@(?P<line>\d+)\] - (?P<msg>.*)$",
    re.S,
)


def log4j_zookeeper(msg: str, ctx: dict) -> tuple[dict, datetime | None]:
    m = ZK_RE.match(msg)
    assert m, msg
    ts = parse_iso(m["ts"].replace(",", "."))
    return _text_event(m, ts, **{"process.thread.name": m["thread"], "log.logger": m["cls"]})


HADOOP_RE = re.compile(
    rf"^(?P<ts>\S+ \S+) {LVL} \[(?P<thread>[^\]]*)\] (?P<logger>\S+): (?P<msg>.*)$", re.S
)


def log4j_hadoop(msg: str, ctx: dict) -> tuple[dict, datetime | None]:
    m = HADOOP_RE.match(msg)
    assert m, msg
    ts = parse_iso(m["ts"].replace(",", "."))
    return _text_event(m, ts, **{"process.thread.name": m["thread"], "log.logger": m["logger"]})


SPARK_RE = re.compile(
    rf"^(?P<ts>\d\d/\d\d/\d\d \d\d:\d\d:\d\d) {LVL} (?P<logger>\S+): (?P<msg>.*)$", re.S
)


def log4j_spark(msg: str, ctx: dict) -> tuple[dict, datetime | None]:
    m = SPARK_RE.match(msg)
    assert m, msg
    ts = datetime.strptime(m["ts"], "%y/%m/%d %H:%M:%S").replace(tzinfo=UTC)
    return _text_event(m, ts, **{"log.logger": m["logger"]})


PY_DASHED_RE = re.compile(rf"^(?P<ts>\S+ \S+) - (?P<logger>\S+) - {LVL} - (?P<msg>.*)$", re.S)


def python_dashed(msg: str, ctx: dict) -> tuple[dict, datetime | None]:
    m = PY_DASHED_RE.match(msg)
    assert m, msg
    ts = parse_iso(m["ts"].replace(",", "."))
    return _text_event(m, ts, **{"log.logger": m["logger"]})


PY_BASIC_RE = re.compile(rf"^{LVL}:(?P<logger>[^:]*):(?P<msg>.*)$", re.S)


def python_basic(msg: str, ctx: dict) -> tuple[dict, datetime | None]:
    m = PY_BASIC_RE.match(msg)
    assert m, msg
    e = {
        "log.level": TEXT_LEVELS[m["level"].lower()],
        "message": m["msg"],
        "log.logger": m["logger"],
    }
    return e, None


LOGFMT_RE = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|\S*)')


def logfmt(msg: str, ctx: dict) -> tuple[dict, datetime | None]:
    pairs = {k: (json.loads(v) if v.startswith('"') else v) for k, v in LOGFMT_RE.findall(msg)}
    ts = any_time(pairs["time"])
    e = {"@timestamp": iso(ts), "log.level": TEXT_LEVELS[pairs["level"].lower()],
         "message": pairs["msg"]}  # fmt: skip
    return e, ts


RUBY_RE = re.compile(
    r"^[DIWEFAU], \[(?P<ts>\S+) #(?P<pid>\d+)\]\s+(?P<level>DEBUG|INFO|WARN|ERROR|FATAL|ANY) -- "
    r"(?P<prog>[^:]*): (?P<msg>.*)$",
    re.S,
)


def ruby_logger(msg: str, ctx: dict) -> tuple[dict, datetime | None]:
    m = RUBY_RE.match(msg)
    assert m, msg
    return _text_event(
        m, parse_iso(m["ts"]), **{"process.pid": int(m["pid"]), "log.logger": m["prog"]}
    )


PINO_PRETTY_RE = re.compile(
    r"^\[(?P<clock>\d\d:\d\d:\d\d\.\d{3})\] (?P<level>TRACE|DEBUG|INFO|WARN|ERROR|FATAL) "
    r"\((?P<pid>\d+)(?: on (?P<host>[^)]+))?\): (?P<msg>.*)$",
    re.S,
)


def pino_pretty(msg: str, ctx: dict) -> tuple[dict, datetime | None]:
    """Time of day only: the date is the Kafka time's (UTC), README 'Years and dates'."""
    m = PINO_PRETTY_RE.match(msg)
    assert m, msg
    day = ctx["received"].date().isoformat()
    ts = parse_iso(f"{day}T{m['clock']}Z")
    return _text_event(m, ts, **{"process.pid": int(m["pid"]), "host.hostname": m["host"]})


JOURNALD_SRC = RAW / "journald_src"
JOURNALD_REFS = {
    "journal1-excerpt.export": "https://github.com/elastic/beats/blob/main/filebeat/input/journald/"
    "testdata/journal1.export (7 of its 10 records)",
    "multiple-boots.export": "https://github.com/elastic/beats/blob/main/filebeat/input/journald/"
    "testdata/multiple-boots.export",
    "sample-journal-event.json": "https://github.com/elastic/beats/blob/main/filebeat/input/journald/"
    "pkg/journalctl/testdata/sample-journal-event.json",
    "corner-cases-pulseaudio.json": "https://github.com/elastic/beats/blob/main/filebeat/input/"
    "journald/pkg/journalctl/testdata/corner-cases.json (its second record)",
    "vector-fake-journal.jsonl": "https://github.com/vectordotdev/vector/blob/master/src/sources/"
    "journald.rs (FAKE_JOURNAL test data)",
}
FIELD_RE = re.compile(r"^([A-Z0-9_]+)=(.*)$")


def journald_raw() -> list[dict]:
    """journald records as `journalctl -o json` prints them, one message each.

    Export-format files (`journalctl -o export`) become the same fields and values in JSON (which is
    what `-o json` prints for text fields); pretty-printed JSON files are compacted to one line.
    """
    out = []
    for path in sorted(JOURNALD_SRC.iterdir()):
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".export":
            records = []
            for block in text.split("\n\n"):
                fields = dict(m.groups() for m in map(FIELD_RE.match, block.splitlines()) if m)
                if fields:
                    records.append(fields)
            note = "the export-format record as journalctl -o json prints it (same fields, values)"
        elif path.suffix == ".jsonl":
            records = [json.loads(line) for line in text.splitlines() if line.strip()]
            note = ""
        else:
            records = [json.loads(text)]
            note = "pretty-printed JSON compacted to one line"
        licence = "Apache-2.0 (LICENSES/Apache-2.0.txt; elastic/beats filebeat/input)"
        if "vector" in path.name:
            licence = "MPL-2.0 (LICENSES/MPL-2.0.txt)"
        for record in records:
            line = json.dumps(record, separators=(",", ":"), ensure_ascii=False)
            out.append({"ref": JOURNALD_REFS[path.name], "licence": licence, "note": note,
                        "kind": "journald", "expect_extra": {}, "message": line})  # fmt: skip
    return out


def journald(msg: str, ctx: dict) -> tuple[dict, datetime | None]:
    doc = json.loads(msg)
    micros = int(doc.get("_SOURCE_REALTIME_TIMESTAMP") or doc["__REALTIME_TIMESTAMP"])
    ts = datetime.fromtimestamp(micros // 1000 / 1000, UTC)
    text = doc["MESSAGE"]
    if isinstance(text, list):  # journalctl writes non-UTF-8 or control-character text as bytes
        text = bytes(text).decode("utf-8", "replace")
    e: dict = {"@timestamp": iso(ts)}
    if "@" not in text:  # an e-mail address in the text is the redaction stage's business
        e["message"] = text
    if "PRIORITY" in doc:
        e["log.level"] = LEVELS_SYSLOG[int(doc["PRIORITY"])]
        e["log.syslog.severity.code"] = int(doc["PRIORITY"])
    if "SYSLOG_FACILITY" in doc:
        e["log.syslog.facility.code"] = int(doc["SYSLOG_FACILITY"])
    for key, field in (("_HOSTNAME", "host.hostname"), ("_SYSTEMD_UNIT", "systemd.unit"),
                       ("SYSLOG_IDENTIFIER", "log.syslog.appname")):  # fmt: skip
        if key in doc:
            e[field] = doc[key]
    if "_PID" in doc:
        e["process.pid"] = int(doc["_PID"])
    return e, ts


PG_SEV = (
    r"(?P<sev>DEBUG[1-5]?|LOG|INFO|NOTICE|WARNING|ERROR|FATAL|PANIC|DETAIL|HINT|STATEMENT|CONTEXT"
    r"|QUERY|LOCATION)"
)
PG_AZURE_RE = re.compile(
    rf"^(?P<time>\S+ \S+ \S+)-(?P<sid>[0-9a-f]+\.[0-9a-f]+)-{PG_SEV}:  (?P<msg>.*)$", re.S
)
PG_CLOUDSQL_RE = re.compile(
    r"^(?P<time>\S+ \S+ \S+) \[(?P<pid>\d+)\]: \[\d+-\d+\] db=(?P<db>[^,]*),user=(?P<user>[^,]*),"
    rf"host=(?P<host>\S*) {PG_SEV}:  (?P<msg>.*)$",
    re.S,
)


def _pg_event(m: re.Match) -> tuple[dict, datetime]:
    ts = pg_time(m["time"])
    e = {"@timestamp": iso(ts), "message": m["msg"]}
    if m["sev"] in PG_LEVELS:
        e["log.level"] = PG_LEVELS[m["sev"]]
    groups = m.groupdict()
    if groups.get("pid"):
        e["process.pid"] = int(groups["pid"])
    if groups.get("user") and groups["user"] != "[unknown]":
        e["user.name"] = groups["user"]
    return e, ts


def pg_azure(msg: str, ctx: dict) -> tuple[dict, datetime | None]:
    m = PG_AZURE_RE.match(msg)
    assert m, msg
    return _pg_event(m)


def pg_cloudsql(msg: str, ctx: dict) -> tuple[dict, datetime | None]:
    m = PG_CLOUDSQL_RE.match(msg)
    assert m, msg
    return _pg_event(m)


def pg_json(msg: str, ctx: dict) -> tuple[dict, datetime | None]:
    """PostgreSQL 15+ jsonlog: keys as in the documentation's table (runtime-config-logging)."""
    doc = json.loads(msg)
    ts = pg_time(doc["timestamp"])
    e = {"@timestamp": iso(ts), "process.pid": doc["pid"], "message": doc["message"],
         "log.level": PG_LEVELS[doc["error_severity"]]}  # fmt: skip
    if doc.get("user"):
        e["user.name"] = doc["user"]
    return e, ts


LOG4J2_DEFAULT_RE = re.compile(
    rf"^(?P<clock>\d\d:\d\d:\d\d\.\d{{3}}) \[(?P<thread>[^\]]*)\] {LVL}\s+"
    r"(?P<logger>\S+) - (?P<msg>.*)$",
    re.S,
)


def log4j2_default(msg: str, ctx: dict) -> tuple[dict, datetime | None]:
    """Time of day only: the date is the Kafka time's (UTC), README 'Time rules'."""
    m = LOG4J2_DEFAULT_RE.match(msg)
    assert m, msg
    ts = parse_iso(f"{ctx['received'].date().isoformat()}T{m['clock']}Z")
    return _text_event(m, ts, **{"process.thread.name": m["thread"], "log.logger": m["logger"]})


KAFKA_RE = re.compile(rf"^\[(?P<ts>\S+ \S+)\] {LVL} (?P<msg>.*) \((?P<logger>[^()\s]+)\)$", re.S)


def log4j_kafka(msg: str, ctx: dict) -> tuple[dict, datetime | None]:
    m = KAFKA_RE.match(msg)
    assert m, msg
    ts = parse_iso(m["ts"].replace(",", "."))
    return _text_event(m, ts, **{"log.logger": m["logger"]})


def zap_console(msg: str, ctx: dict) -> tuple[dict, datetime | None]:
    """zap's console encoder: time, level, logger, message, separated by tabs."""
    when, level, logger, text = msg.split("\t", 3)
    ts = parse_iso(when)
    e = {"@timestamp": iso(ts), "log.level": TEXT_LEVELS[level.lower()], "log.logger": logger,
         "message": text}  # fmt: skip
    return e, ts


CRI_RE = re.compile(r"^(?P<time>\S+) (?P<stream>stdout|stderr) (?P<tag>[FP]) (?P<msg>.*)$", re.S)


def cri(msg: str, ctx: dict) -> tuple[dict, datetime | None]:
    """A real CRI log-file line: the runtime's time is the event's unless the line has its own."""
    m = CRI_RE.match(msg)
    assert m, msg
    ts = parse_iso(m["time"])
    return {"@timestamp": iso(ts), "log.iostream": m["stream"], "message": m["msg"]}, ts


KINDS = {
    "cri": cri,
    "log4j2_default": log4j2_default,
    "log4j_kafka": log4j_kafka,
    "zap_console": zap_console,
    "pg_azure": pg_azure,
    "pg_cloudsql": pg_cloudsql,
    "pg_json": pg_json,
    "journald": journald,
    "spring_boot": spring_boot,
    "log4j_zookeeper": log4j_zookeeper,
    "log4j_hadoop": log4j_hadoop,
    "log4j_spark": log4j_spark,
    "python_dashed": python_dashed,
    "python_basic": python_basic,
    "logfmt": logfmt,
    "ruby_logger": ruby_logger,
    "pino_pretty": pino_pretty,
    "json_app": json_app,
    "given": given,
    "pg_stderr": pg_stderr,
    "pg_csv": pg_csv,
    "nginx_access": access,
    "apache_access": access,
    "apache_error": apache_error,
    "nginx_error": nginx_error,
    "syslog_rfc3164": syslog_rfc3164,
    "syslog_rfc5424": syslog_rfc5424,
    "kernel": kernel,
    "redis": redis,
}

# ---------------------------------------------------------------------------------------------
# raw files


def read_raw(path: Path) -> list[dict]:
    """Entries of one raw file, each with its provenance directives."""
    if path.suffix == ".json":  # a list of entries with hand-written expectations
        items = json.loads(path.read_text(encoding="utf-8"))
        return [
            {k: v for k, v in item.items() if v is not None and k != "expect"}
            | {"kind": item.get("kind", "given"), "given": item["expect"], "expect_extra": {}}
            for item in items
        ]
    blocks = path.suffix == ".blocks"
    entries: list[dict] = []
    state: dict = {}
    pending_expect: dict = {}
    buf: list[str] = []

    def flush() -> None:
        nonlocal pending_expect
        text = "\n".join(buf).strip("\n")
        buf.clear()
        if text:
            entries.append({**state, "message": text, "expect_extra": pending_expect})
            pending_expect = {}

    for line in path.read_text(encoding="utf-8").split("\n"):
        if line.startswith("#% "):
            key, _, value = line[3:].partition(":")
            if key.strip() == "expect":
                pending_expect = json.loads(value)
            else:
                state[key.strip()] = value.strip()
            continue
        if blocks:
            if line == "#%%":
                flush()
            else:
                buf.append(line)
        elif line.strip():
            entries.append({**state, "message": line, "expect_extra": pending_expect})
            pending_expect = {}
    if blocks:
        flush()
    return entries


ERROR_LEVELS = frozenset({"error", "critical", "alert", "emergency"})


def is_error(expect: dict) -> bool:
    """Whether the event belongs in the `-errors-` indices: error level or an error present."""
    return expect.get("log.level") in ERROR_LEVELS or any(
        k.startswith("error.") and v is not None for k, v in expect.items()
    )


def build_entry(source: str, raw: dict) -> dict:
    kind = raw.get("kind", source)
    received = raw.get("received")
    received_dt = parse_iso(received) if received and received != "-" else None
    ctx = {"received": received_dt, "year": raw.get("year"), "given": raw.get("given"),
           "header": raw.get("header")}  # fmt: skip
    expect, ts = KINDS[kind](raw["message"], ctx)
    expect.update(raw["expect_extra"])
    if received_dt is None:
        assert ts is not None, f"{raw['message']!r}: no time in the line and no received"
        received_dt = ts + timedelta(minutes=1)
    if "@timestamp" not in expect:  # no time in the line: the Kafka timestamp (README)
        expect["@timestamp"] = iso(received_dt)
    expect.setdefault("_errors_index", is_error(expect))
    expect.setdefault("_failure_tags", [])
    for key in [k for k, v in expect.items() if v == "any"]:
        del expect[
            key
        ]  # "any": not checked (a bare trace's parse tag; text the redaction rewrites)
    entry = {"source": source, "kind": kind, "ref": raw["ref"], "licence": raw["licence"]}
    if raw.get("note"):
        entry["note"] = raw["note"]
    entry["received"] = iso(received_dt)
    entry["message"] = raw["message"]
    entry["expect"] = expect
    return entry


def collect() -> dict[str, list[dict]]:
    """Every corpus entry by source, as `main` writes them."""
    by_source: dict[str, list[dict]] = {}
    for path in (
        sorted(RAW.glob("*.lines")) + sorted(RAW.glob("*.blocks")) + sorted(RAW.glob("*.json"))
    ):
        source = path.stem
        for raw in read_raw(path):
            by_source.setdefault(source, []).append(build_entry(source, raw))
    for raw in journald_raw():
        by_source.setdefault("journald", []).append(build_entry("journald", raw))
    from envelopes import wrap_all  # a sibling module

    for source, entries in wrap_all(by_source).items():
        by_source.setdefault(source, []).extend(entries)
    return by_source


def main() -> int:
    by_source = collect()
    for old in HERE.glob("*.jsonl"):
        if old.stem not in by_source:
            old.unlink()
    total = 0
    for source, entries in sorted(by_source.items()):
        with (HERE / f"{source}.jsonl").open("w", encoding="utf-8") as f:
            for entry in entries:
                f.write(json.dumps(entry, ensure_ascii=False) + "\n")
        total += len(entries)
        print(f"{source:24} {len(entries):4}")
    print(f"{'total':24} {total:4}")
    return 0


sys.path.insert(0, str(HERE))

if __name__ == "__main__":
    sys.exit(main())
