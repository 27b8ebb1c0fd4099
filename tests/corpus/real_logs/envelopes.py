"""Wraps real bare lines of the corpus in the documented shipper and runtime envelopes.

The inner lines are the corpus's own real lines (their `ref` says where from); only the envelope
around them is built here, in the shape each shipper documents for its JSON output. Every wrapped
entry says so in its `note` and `ref`. Expected fields: the inner line's, plus the envelope's
metadata in ECS fields. Shapes:

- Filebeat 8 Kafka output, JSON codec (https://www.elastic.co/guide/en/beats/filebeat/current/
  kafka-output.html, https://www.elastic.co/guide/en/beats/filebeat/current/exported-fields.html):
  `@timestamp`, `@metadata.beat/type/version`, `log.offset`, `log.file.path`, `input.type`,
  `ecs.version`, `host.name`, `agent.*`, `message`.
- Docker json-file driver (https://docs.docker.com/engine/logging/drivers/json-file/):
  `{"log": "<line>\\n", "stream": "stdout|stderr", "time": "<RFC3339Nano>"}`; one record a line,
  so only one-line messages are wrapped (a trace inside a JSON line stays one line).
- CRI / containerd log file lines (kubernetes/design-proposals node/kubelet-cri-logging.md):
  `<RFC3339Nano> <stream> <P|F> <text>`; a line the runtime split is `P` parts then an `F` part.
- Fluent Bit tail + docker parser + kubernetes filter, JSON out
  (https://docs.fluentbit.io/manual/pipeline/filters/kubernetes): `date`, `log`, `stream`,
  `time`, `kubernetes.{pod_name, namespace_name, pod_id, host, container_name, docker_id,
  container_image, labels}`.
- Vector file and kubernetes_logs sources, JSON encoding (https://vector.dev/docs/reference/
  configuration/sources/file/, .../kubernetes_logs/): `file`, `host`, `message`, `source_type`,
  `timestamp`; kubernetes_logs: `kubernetes.{pod_name, pod_namespace, pod_node_name,
  container_name, pod_uid, container_image, pod_labels}`, `stream`.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

# Bare sources whose entries are wrapped, and how many of each per envelope.
PICKS = [
    ("nginx_access", 6),
    ("json_app", 5),
    ("text_app", 4),
    ("multiline_app", 3),
    ("redis", 1),
    ("postgresql", 1),
]


def _shipper_time(entry: dict, seconds: float) -> datetime:
    """When the shipper read the line: a little before the Kafka timestamp."""
    received = datetime.fromisoformat(entry["received"].replace("Z", "+00:00"))
    return received - timedelta(seconds=seconds)


def _rfc3339nano(dt: datetime, nanos: int = 123456789) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{nanos:09d}Z"


def _iso_ms(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def _derived(
    entry: dict, source: str, message: str, shape: str, extra: dict, when: datetime | None = None
) -> dict:
    expect = dict(entry["expect"])
    if when is not None and expect.get("@timestamp") == entry["received"]:
        expect["@timestamp"] = _iso_ms(when)  # no time in the line: the envelope's (README)
    expect.update(extra)
    return {
        "source": source,
        "kind": entry["kind"],
        "ref": entry["ref"],
        "licence": entry["licence"],
        "note": f"real line from {entry['source']}, wrapped by build.py in the {shape} envelope "
        "shape (envelopes.py docstring gives the documentation); " + (entry.get("note") or ""),
        "received": entry["received"],
        "message": message,
        "expect": expect,
    }


FILE_PATHS = {
    "nginx_access": "/var/log/nginx/access.log",
    "redis": "/var/log/redis/redis-server.log",
    "postgresql": "/var/log/postgresql/postgresql-16-main.log",
}


def filebeat(entry: dict, i: int) -> dict:
    path = FILE_PATHS.get(entry["source"], f"/var/log/app/{entry['source']}.log")
    doc = {
        "@timestamp": _iso_ms(_shipper_time(entry, 2)),
        "@metadata": {"beat": "filebeat", "type": "_doc", "version": "8.13.4"},
        "log": {"offset": 1024 * i, "file": {"path": path}},
        "message": entry["message"],
        "input": {"type": "filestream"},
        "ecs": {"version": "8.0.0"},
        "host": {"name": "web-01"},
        "agent": {
            "type": "filebeat",
            "version": "8.13.4",
            "name": "web-01",
            "id": "4e5b2a1c-7f5d-4c52-9b3c-2f1e6b8a9d10",
            "ephemeral_id": "a0c6b1f4-1f7e-4d0b-8f9e-3c2d1b0a9e87",
        },
    }
    extra = {"log.file.path": path, "agent.type": "filebeat", "host.name": "web-01"}
    return _derived(
        entry,
        "envelope_filebeat",
        json.dumps(doc),
        "Filebeat Kafka-output",
        extra,
        _shipper_time(entry, 2),
    )


def _stream(entry: dict) -> str:
    return "stderr" if entry["source"] in ("multiline_app", "postgresql", "redis") else "stdout"


def docker(entry: dict, i: int) -> dict:
    stream = _stream(entry)
    when = _shipper_time(entry, 1)
    nanos = 100000000 + i
    doc = {
        "log": entry["message"] + "\n",
        "stream": stream,
        "time": _rfc3339nano(when, nanos),
    }
    extra = {"log.iostream": stream}
    written = when + timedelta(microseconds=nanos // 1000)  # the time the envelope gives
    return _derived(entry, "envelope_docker", json.dumps(doc), "Docker json-file", extra, written)


def cri(entry: dict, i: int) -> dict:
    stream = _stream(entry)
    when = _shipper_time(entry, 1)
    nanos = 200000000 + i
    t = _rfc3339nano(when, nanos)
    lines = entry["message"].split("\n")
    out = []
    for line in lines:
        # every few entries, the runtime split the line: a P part, then the F part
        if i % 3 == 1 and len(line) > 40:
            cut = len(line) // 2
            out.append(f"{t} {stream} P {line[:cut]}")
            out.append(f"{t} {stream} F {line[cut:]}")
        else:
            out.append(f"{t} {stream} F {line}")
    extra = {"log.iostream": stream}
    note = "CRI"
    if len(lines) > 1:
        note += " (one CRI line per line of the multi-line message, joined in one Kafka message)"
    written = when + timedelta(microseconds=nanos // 1000)  # the time the runtime gives
    return _derived(entry, "envelope_cri", "\n".join(out), note, extra, written)


def fluentbit(entry: dict, i: int) -> dict:
    stream = _stream(entry)
    when = _shipper_time(entry, 1)
    app = entry["source"].replace("_", "-")
    pod = f"{app}-7d9c6b5f4-x{i:02d}q"
    doc = {
        "date": round(when.timestamp(), 6),
        "log": entry["message"] + "\n",
        "stream": stream,
        "time": _rfc3339nano(when, 300000000 + i),
        "kubernetes": {
            "pod_name": pod,
            "namespace_name": "prod",
            "pod_id": "8f0c5a8e-2a4b-4c1d-9e3f-6b7a8c9d0e1f",
            "labels": {"app": app},
            "host": "node-2",
            "container_name": app,
            "docker_id": "d7c5f3e1b9a7c5e3f1d9b7a5c3e1f9d7b5a3c1e9f7d5b3a1c9e7f5d3b1a9c7e5",
            "container_image": f"registry.example/{app}:1.4.2",
        },
    }
    extra = {"log.iostream": stream, "kubernetes.pod.name": pod, "kubernetes.namespace": "prod",
             "kubernetes.node.name": "node-2", "kubernetes.container.name": app}  # fmt: skip
    return _derived(
        entry, "envelope_fluentbit", json.dumps(doc), "Fluent Bit (kubernetes)", extra, when
    )


def vector(entry: dict, i: int) -> dict:
    when = _shipper_time(entry, 1)
    if i % 2 == 0:
        path = FILE_PATHS.get(entry["source"], f"/var/log/app/{entry['source']}.log")
        doc = {
            "file": path,
            "host": "web-02",
            "message": entry["message"],
            "source_type": "file",
            "timestamp": _rfc3339nano(when, 400000000 + i),
        }
        extra = {"log.file.path": path, "host.name": "web-02"}
        shape = "Vector file-source JSON"
    else:
        app = entry["source"].replace("_", "-")
        pod = f"{app}-5c8d7b6a9-v{i:02d}k"
        stream = _stream(entry)
        doc = {
            "file": f"/var/log/pods/prod_{pod}_0c1d2e3f/{app}/0.log",
            "kubernetes": {
                "container_name": app,
                "container_image": f"registry.example/{app}:1.4.2",
                "pod_name": pod,
                "pod_namespace": "prod",
                "pod_node_name": "node-3",
                "pod_uid": "0c1d2e3f-4a5b-6c7d-8e9f-0a1b2c3d4e5f",
                "pod_labels": {"app": app},
            },
            "message": entry["message"],
            "source_type": "kubernetes_logs",
            "stream": stream,
            "timestamp": _rfc3339nano(when, 400000000 + i),
        }
        extra = {"log.iostream": stream, "kubernetes.pod.name": pod,
                 "kubernetes.namespace": "prod", "kubernetes.node.name": "node-3",
                 "kubernetes.container.name": app}  # fmt: skip
        shape = "Vector kubernetes_logs JSON"
    return _derived(entry, "envelope_vector", json.dumps(doc), shape, extra, when)


def _one_line(entry: dict) -> bool:
    return "\n" not in entry["message"]


def wrap_all(by_source: dict[str, list[dict]]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for fn in (filebeat, docker, cri, fluentbit, vector):
        i = 0
        for source, count in PICKS:
            entries = by_source.get(source, [])
            if fn is docker:  # json-file writes one record per line: multi-line text would be split
                entries = [e for e in entries if _one_line(e)]
            for entry in entries[:count]:
                wrapped = fn(entry, i)
                out.setdefault(wrapped["source"], []).append(wrapped)
                i += 1
    return out
