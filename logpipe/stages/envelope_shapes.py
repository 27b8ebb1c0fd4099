"""JSON envelope shapes: how each is recognised, where its time is, how its fields map to ECS.

Used by the `envelope` stage (logpipe.stages.envelope), which says what each shape is. A handler
moves an envelope's metadata into the event and returns the inner line (None: fields only).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from logpipe.fields import add_tag, put, put_new
from logpipe.metadata import keep_beat
from logpipe.stages.merging import merge_into
from logpipe.stages.partials import PARTIAL_TAG
from logpipe.timeformats import format_ms

STREAMS = frozenset({"stdout", "stderr"})
_EPOCH_UNITS = ((1e11, 1 / 1000), (1e14, 1), (1e17, 1000))  # below limit -> units per ms
_DOCKER_KEYS = frozenset({"log", "stream", "time", "attrs"})
_SEVERITIES = ("Emergency", "Alert", "Critical", "Error", "Warning", "Notice", "Informational",
               "Debug")  # fmt: skip
_FACILITIES = ("kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron",
               "authpriv", "ftp", "ntp", "security", "console", "solaris-cron", "local0", "local1",
               "local2", "local3", "local4", "local5", "local6", "local7")  # fmt: skip
_SEVERITY_CODES = {
    **{name.lower(): code for code, name in enumerate(_SEVERITIES)},
    "emerg": 0, "crit": 2, "err": 3, "warn": 4, "info": 6,
}  # fmt: skip

# journald field -> ECS path (and whether it is an integer)
_JOURNALD = {
    "_HOSTNAME": ("host.hostname", False),
    "_MACHINE_ID": ("host.id", False),
    "_BOOT_ID": ("host.boot_id", False),
    "_PID": ("process.pid", True),
    "_COMM": ("process.name", False),
    "_EXE": ("process.executable", False),
    "_CMDLINE": ("process.command_line", False),
    "_UID": ("user.id", False),
    "_GID": ("user.group.id", False),
    "_SYSTEMD_UNIT": ("systemd.unit", False),
    "_SYSTEMD_USER_UNIT": ("systemd.user_unit", False),
    "_SYSTEMD_SLICE": ("systemd.slice", False),
    "_SYSTEMD_CGROUP": ("systemd.cgroup", False),
    "_SYSTEMD_INVOCATION_ID": ("systemd.invocation_id", False),
    "_TRANSPORT": ("systemd.transport", False),
    "SYSLOG_IDENTIFIER": ("log.syslog.appname", False),
    "SYSLOG_PID": ("log.syslog.procid", False),
    "CODE_FILE": ("log.origin.file.name", False),
    "CODE_LINE": ("log.origin.file.line", True),
    "CODE_FUNC": ("log.origin.function", False),
    "CONTAINER_ID_FULL": ("container.id", False),
    "CONTAINER_NAME": ("container.name", False),
    "IMAGE_NAME": ("container.image.name", False),
}
_JOURNALD_MARKERS = frozenset(("PRIORITY", "_PID", "_HOSTNAME", "__REALTIME_TIMESTAMP",
                               "_SYSTEMD_UNIT", "SYSLOG_IDENTIFIER", "_TRANSPORT",
                               "_BOOT_ID"))  # fmt: skip
_JOURNALD_SKIP = frozenset({"MESSAGE", "message", "PRIORITY", "SYSLOG_FACILITY", "CONTAINER_ID",
                            "timestamp", "host", "source_type"})  # fmt: skip

# Kubernetes metadata as Fluent Bit and Vector write it -> Filebeat's kubernetes.* / ECS names.
_K8S = {
    "pod_name": "kubernetes.pod.name",
    "pod_id": "kubernetes.pod.uid",
    "pod_uid": "kubernetes.pod.uid",
    "pod_ip": "kubernetes.pod.ip",
    "namespace_name": "kubernetes.namespace",
    "pod_namespace": "kubernetes.namespace",
    "host": "kubernetes.node.name",
    "pod_node_name": "kubernetes.node.name",
    "container_name": "kubernetes.container.name",
    "docker_id": "container.id",
    "container_id": "container.id",
    "container_image": "container.image.name",
    "container_hash": "container.image.hash.all",
    "container_image_id": "container.image.hash.all",
}
_K8S_LABELS = {
    "labels": "kubernetes.labels",
    "pod_labels": "kubernetes.labels",
    "annotations": "kubernetes.annotations",
    "pod_annotations": "kubernetes.annotations",
    "namespace_labels": "kubernetes.namespace_labels",
    "node_labels": "kubernetes.node.labels",
}


Handler = Callable[[dict, dict], "str | None"]


# --- detection -----------------------------------------------------------------------------


def requires(keys: tuple[str, ...]) -> Callable[[dict], bool]:
    return lambda doc: all(key in doc for key in keys)


def _is_journald(doc: dict) -> bool:
    return "MESSAGE" in doc and not _JOURNALD_MARKERS.isdisjoint(doc)


def _is_beats(doc: dict) -> bool:
    agent, meta, log = doc.get("agent"), doc.get("@metadata"), doc.get("log")
    return (
        (type(agent) is dict and "type" in agent)
        or (type(meta) is dict and "beat" in meta)
        or (type(log) is dict and type(log.get("file")) is dict)
        or (type(doc.get("beat")) is dict and ("source" in doc or "message" in doc))
    )


def _is_stream(value: Any) -> bool:
    return type(value) is str and value in STREAMS


def _is_vector(doc: dict) -> bool:
    return type(doc.get("source_type")) is str and ("message" in doc or "timestamp" in doc)


def _is_docker(doc: dict) -> bool:
    return (
        type(doc.get("log")) is str
        and _is_stream(doc.get("stream"))
        and "time" in doc
        and _DOCKER_KEYS.issuperset(doc)
    )


def _is_fluentbit(doc: dict) -> bool:
    if type(doc.get("log")) is str:
        return not _FLUENTBIT_WITH_LOG.isdisjoint(doc)
    if type(doc.get("message")) is str:
        return not _FLUENTBIT_WITH_MESSAGE.isdisjoint(doc)
    return "date" in doc and type(doc.get("kubernetes")) is dict  # a record Fluent Bit parsed


# Keys one of which a Fluent Bit record has beside its `log` or its `message` line.
_FLUENTBIT_WITH_LOG = frozenset(("date", "@timestamp", "time", "stream", "kubernetes"))
_FLUENTBIT_WITH_MESSAGE = frozenset(("date", "kubernetes", "logtag"))


def _fluentbit_line_key(doc: dict) -> str | None:
    """Where a Fluent Bit record keeps the line: `log`, `message`, or nowhere (parsed)."""
    for key in ("log", "message"):
        if type(doc.get(key)) is str:
            return key
    return None


# Each shape's detector needs one of these keys.
MARKERS = {
    "journald": ("MESSAGE",),
    "beats": ("agent", "@metadata", "log", "beat"),
    "vector": ("source_type",),
    "docker": ("log",),
    "fluentbit": ("log", "date", "kubernetes", "logtag"),
}
DETECT: dict[str, Callable[[dict], bool]] = {
    "journald": _is_journald,
    "beats": _is_beats,
    "vector": _is_vector,
    "docker": _is_docker,
    "fluentbit": _is_fluentbit,
}


# --- times ---------------------------------------------------------------------------------


TIME_KEYS = {
    "journald": ("_SOURCE_REALTIME_TIMESTAMP", "__REALTIME_TIMESTAMP", "timestamp"),
    "beats": ("@timestamp",),
    "vector": ("timestamp",),
    "docker": ("time",),
    "fluentbit": ("time", "@timestamp", "date", "timestamp"),
}


def take_time(doc: dict, shape: str, keys: tuple[str, ...]) -> str | None:
    """The envelope's own time as ISO 8601 (ms), taken out of `doc`; None when it has none."""
    if shape == "journald" or (shape == "vector" and doc.get("source_type") == "journald"):
        for key in ("_SOURCE_REALTIME_TIMESTAMP", "__REALTIME_TIMESTAMP"):
            micros = doc.pop(key, None)
            if micros is not None:
                doc.pop("timestamp", None)
                return _epoch(micros, 1_000)
    if shape == "fluentbit" and _fluentbit_line_key(doc) is None:
        keys = ("date",)  # the other time keys are the application's own
    found = None
    for key in keys:
        value = doc.pop(key, None)
        if found is None and value is not None:
            found = iso(value) if isinstance(value, str) else _epoch(value)
    return found


def iso(value: Any) -> str | None:
    """An RFC 3339 time with its fraction cut to milliseconds (`...T..:..:...123Z`)."""
    if type(value) is not str or len(value) < 19 or value[10:11] not in ("T", " "):
        return _epoch(value) if isinstance(value, (int, float)) else None
    head, rest = value[:19], value[19:]
    frac = ""
    if rest[:1] in (".", ","):
        digits = len(rest) - len(rest[1:].lstrip("0123456789"))
        frac, rest = rest[1:digits], rest[digits:]
    zone = rest.strip() or "Z"
    return f"{head}.{(frac[:3]).ljust(3, '0')}{'Z' if zone in ('Z', 'z', '+00:00') else zone}"


def _epoch(value: Any, per_ms: float | None = None) -> str | None:
    """Epoch `value` as ISO 8601 UTC; `per_ms` units make a millisecond (else told by size)."""
    try:
        number = float(value)
        if per_ms is None:  # seconds, milliseconds, microseconds or nanoseconds
            per_ms = next((unit for limit, unit in _EPOCH_UNITS if abs(number) < limit), 1_000_000)
        ms = int(number / per_ms)
    except (TypeError, ValueError, OverflowError):
        return None
    return format_ms(ms) if 0 < ms < 253402300799999 else None


# --- handlers: each moves the envelope's metadata into the event, returns the inner line ------


def _text(value: Any) -> str | None:
    if type(value) is str:
        return value
    if type(value) is list and all(type(b) is int and 0 <= b < 256 for b in value):
        return bytes(value).decode(errors="replace")  # journald's non-UTF-8 MESSAGE
    return None


def _int(value: Any) -> Any:
    if type(value) is str and value.isdecimal() and len(value) < 19:
        return int(value)
    return value


def _handle_beats(event: dict, doc: dict) -> str | None:
    message = doc.pop("message", None)
    meta = doc.pop("@metadata", None)
    if type(meta) is dict:
        keep_beat(event, meta)
    beat = doc.pop("beat", None)  # Beats 5.x / 6.x
    if type(beat) is dict:
        for key, path in (("hostname", "host.hostname"), ("name", "agent.name"),
                          ("version", "agent.version")):  # fmt: skip
            if key in beat:
                put_new(doc, path, beat[key])
    for key, path in (("source", "log.file.path"), ("offset", "log.offset"),
                      ("input_type", "input.type")):  # fmt: skip
        if key in doc and not isinstance(doc[key], dict):
            put_new(doc, path, doc.pop(key))
    if _is_stream(doc.get("stream")):  # the container input's `stream`
        put_new(doc, "log.iostream", doc.pop("stream"))
    _merge_rest(event, doc)
    return _text(message) if message is not None else None


def handle_journald(event: dict, doc: dict) -> str | None:
    message = _text(doc.get("MESSAGE", doc.get("message")))
    if message is None:
        return None
    for key, value in doc.items():
        if key in _JOURNALD_SKIP or key.startswith("__"):
            continue
        target = _JOURNALD.get(key)
        if target is not None:
            put_new(event, target[0], _int(value) if target[1] else value)
        elif key[:1] != "_" and type(value) is not dict:
            put(event, f"journald.custom.{key.lower().replace('.', '_')}", value)
    if "CONTAINER_ID" in doc:
        put_new(event, "container.id", doc["CONTAINER_ID"])
    if "_COMM" not in doc and type(doc.get("SYSLOG_IDENTIFIER")) is str:
        put_new(event, "process.name", doc["SYSLOG_IDENTIFIER"])
    host = doc.get("host")
    if type(host) is str:  # Vector's journald source
        put_new(event, "host.hostname", host)
    _syslog_codes(event, _int(doc.get("PRIORITY")), _int(doc.get("SYSLOG_FACILITY")))
    return message


def _syslog_codes(event: dict, severity: Any, facility: Any) -> None:
    """`log.syslog.severity.*`, `.facility.*` and, with both, `.priority` (the PRI)."""
    if type(severity) is int and 0 <= severity < 8:
        put(event, "log.syslog.severity.code", severity)
        put(event, "log.syslog.severity.name", _SEVERITIES[severity])
    if type(facility) is int and 0 <= facility < 24:
        put(event, "log.syslog.facility.code", facility)
        put(event, "log.syslog.facility.name", _FACILITIES[facility])
        if type(severity) is int and 0 <= severity < 8:
            put(event, "log.syslog.priority", facility * 8 + severity)


def _handle_vector(event: dict, doc: dict) -> str | None:
    kind = doc.pop("source_type")
    if kind == "journald":
        return handle_journald(event, doc)
    message = _text(doc.pop("message", None))
    put(event, "agent.type", "vector")
    if kind == "syslog":
        _vector_syslog(event, doc)
    if type(doc.get("host")) is str:
        put(event, "host.name", doc.pop("host"))
    if type(doc.get("file")) is str:
        put(event, "log.file.path", doc.pop("file"))
    if _is_stream(doc.get("stream")):
        put(event, "log.iostream", doc.pop("stream"))
    kubernetes = doc.pop("kubernetes", None)
    if type(kubernetes) is dict:
        _kubernetes(event, kubernetes)
    for key, path in (("container_id", "container.id"), ("container_name", "container.name"),
                      ("image", "container.image.name")):  # fmt: skip
        if type(doc.get(key)) is str:
            put(event, path, doc.pop(key))
    if type(doc.get("label")) is dict:
        put(event, "container.labels", _dedot(doc.pop("label")))
    doc.pop("container_created_at", None)
    _merge_rest(event, doc)
    return message


def _vector_syslog(event: dict, doc: dict) -> None:
    if type(doc.get("hostname")) is str:
        put_new(event, "host.hostname", doc["hostname"])
    if type(_int(doc.get("procid"))) is int:
        put_new(event, "process.pid", _int(doc["procid"]))
    for key, path in (("appname", "log.syslog.appname"), ("msgid", "log.syslog.msgid"),
                      ("procid", "log.syslog.procid"), ("hostname", "log.syslog.hostname"),
                      ("version", "log.syslog.version")):  # fmt: skip
        if key in doc:
            put(event, path, doc.pop(key))
    if type(doc.get("source_ip")) is str:
        put(event, "log.source.address", doc.pop("source_ip"))
    severity, facility = doc.pop("severity", None), doc.pop("facility", None)
    sev = _SEVERITY_CODES.get(severity) if type(severity) is str else None
    fac = _FACILITIES.index(facility) if facility in _FACILITIES else None
    _syslog_codes(event, sev, fac)


def _handle_docker(event: dict, doc: dict) -> str | None:
    line = doc["log"]
    put(event, "log.iostream", doc["stream"])
    put(event, "container.runtime", "docker")
    if type(doc.get("attrs")) is dict:
        put(event, "container.labels", _dedot(doc["attrs"]))
    if line.endswith("\n"):
        return line[:-2] if line.endswith("\r\n") else line[:-1]
    add_tag(event, PARTIAL_TAG)  # json-file splits lines over 16 KiB over entries
    return line


def _handle_fluentbit(event: dict, doc: dict) -> str | None:
    key = _fluentbit_line_key(doc)
    line = doc.pop(key) if key is not None else None
    put(event, "agent.type", "fluent-bit")
    if _is_stream(doc.get("stream")):
        put(event, "log.iostream", doc.pop("stream"))
    logtag = doc.pop("logtag", None)
    partial = doc.pop("_p", None)
    if logtag == "P" or partial == "P":
        add_tag(event, PARTIAL_TAG)
    kubernetes = doc.pop("kubernetes", None)
    if type(kubernetes) is dict:
        _kubernetes(event, kubernetes)
    if line is None:  # the application's own fields, parsed by Fluent Bit: parse takes them
        return orjson.dumps(doc).decode() if doc else None
    for name, path in (("host", "host.name"), ("hostname", "host.hostname")):
        if type(doc.get(name)) is str:
            put(event, path, doc.pop(name))
    _merge_rest(event, doc)
    return line[:-1] if line.endswith("\n") else line


def custom_handler(message_key: str, fields: dict[str, str], drop: tuple[str, ...]) -> Handler:
    """A handler for a user's shape: the line under `message_key`, `fields` moved, `drop` gone."""

    def handle(event: dict, doc: dict) -> str | None:
        message = _text(doc.pop(message_key, None))
        for key in drop:
            doc.pop(key, None)
        for key, path in fields.items():
            if key in doc:
                put(event, path, doc.pop(key))
        _merge_rest(event, doc)
        return message

    return handle


HANDLE: dict[str, Handler] = {
    "journald": handle_journald,
    "beats": _handle_beats,
    "vector": _handle_vector,
    "docker": _handle_docker,
    "fluentbit": _handle_fluentbit,
}


# --- helpers -----------------------------------------------------------------------------------


def _dedot(labels: dict) -> dict:
    """Label keys with `.` (`app.kubernetes.io/name`) would become objects: `_` instead."""
    return {str(k).replace(".", "_"): v for k, v in labels.items()}


def _kubernetes(event: dict, meta: dict) -> None:
    """Fluent Bit's and Vector's Kubernetes metadata as Filebeat's `kubernetes.*` and ECS."""
    for key, value in meta.items():
        if type(value) is dict:
            if key in _K8S_LABELS:
                put(event, _K8S_LABELS[key], _dedot(value))
        elif key in _K8S:
            if value is not None:
                put_new(event, _K8S[key], value)
        elif key == "pod_owner" and type(value) is str:
            put(event, "kubernetes.pod.owner", value)
    container = event.get("kubernetes", {}).get("container", {})
    if "name" in container:
        put_new(event, "container.name", container["name"])


def split_image_tag(event: dict) -> None:
    """`container.image.name: nginx:1.25` -> name `nginx`, tag `["1.25"]` (ECS)."""
    container = event.get("container")
    image = container.get("image") if type(container) is dict else None
    name = image.get("name") if type(image) is dict else None
    if type(name) is str and ":" in name.rsplit("/", 1)[-1] and "@" not in name:
        base, tag = name.rsplit(":", 1)
        image["name"], image["tag"] = base, [tag]


def orchestrator(event: dict) -> None:
    """ECS `orchestrator.*` from `kubernetes.*` where a pod is named."""
    k8s = event.get("kubernetes")
    if type(k8s) is not dict:
        return
    pod = k8s.get("pod")
    if type(pod) is not dict or "name" not in pod:
        return
    put_new(event, "orchestrator.type", "kubernetes")
    put_new(event, "orchestrator.resource.type", "pod")
    put_new(event, "orchestrator.resource.name", pod["name"])
    if "namespace" in k8s:
        put_new(event, "orchestrator.namespace", k8s["namespace"])


def _merge_rest(event: dict, doc: dict) -> None:
    """The envelope's other fields into the event; its `tags` join the event's tags."""
    _merge_tags(event, doc.pop("tags", None))
    merge_into(event, doc)


def _merge_tags(event: dict, incoming: Any) -> None:
    if isinstance(incoming, list):
        for tag in incoming:
            if isinstance(tag, str):
                add_tag(event, tag)
    elif isinstance(incoming, str):
        add_tag(event, incoming)
