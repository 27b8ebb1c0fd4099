"""Fuzzing the whole default pipeline and the document builder: no input makes them raise.

Every input line comes out as a document (with a valid index name inside the time window) or was
dropped on purpose (counted); nothing raises, nothing vanishes. What the engine then refuses is
dead-lettered by delivery (tests/unit/test_delivery.py).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logpipe.documents import to_docs
from logpipe.pipeline import load_pipeline

NOV_26 = 1795687200000  # 2026-11-26T10:00:00Z: the Kafka timestamp of every fuzzed message
INDEX = re.compile(r"p-(logs|errors|security|performance)-(\d{4})\.(\d\d)\.(\d\d)")
DAY_MS = 86_400_000

_keys = st.sampled_from(
    [
        "@timestamp", "timestamp", "time", "ts", "date", "message", "msg", "level", "log",
        "log.level", "severity", "tags", "_id", "_index", "_source", "@metadata", "error",
        "stack_trace", "client_ip", "source", "status", "response_time", "path", "user_agent",
        "url", "password", "token", "event", "rule", "logpipe", "user_id", "http",
    ]
) | st.text(max_size=8)  # fmt: skip
_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=60)
    | st.sampled_from(
        [
            "2999-01-01T00:00:00Z", "0001-01-01T00:00:00+01:00", "abcd-ef-ghZ", "1970-01-01",
            "Feb 29 00:00:00", "26/Nov/2026:10:00:00 +0000", "ERROR", "debug", "203.0.113.7",
            "::1", "not-an-ip", "' OR 1=1 --", "<script>alert(1)</script>", "${jndi:ldap://x}",
            "../../etc/passwd", "password=hunter2", "4111 1111 1111 1111", "a@b.example",
            "java.lang.IllegalStateException: x\n\tat a.B.c(B.java:1)",
            "Traceback (most recent call last):\n  File \"x.py\", line 1\nValueError: v",
            "panic: boom\n\ngoroutine 1 [running]:\nmain.main()\n\t/x.go:3 +0x1",
        ]
    )
)  # fmt: skip
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_keys, inner, max_size=3),
    max_leaves=12,
)
_json_lines = st.dictionaries(_keys, _values, max_size=8).map(
    lambda obj: orjson.dumps(obj, option=orjson.OPT_NON_STR_KEYS).decode()
)
_access_lines = st.builds(
    lambda ip, path, status, size, agent: (
        f'{ip} - - [26/Nov/2026:10:00:00 +0000] "GET {path} HTTP/1.1" {status} {size} "-" "{agent}"'
    ),
    st.sampled_from(["203.0.113.7", "::1", "999.1.1.1", "x"]),
    st.text(max_size=30),
    st.integers(0, 10**6) | st.just(10**40),
    st.text(alphabet="0123456789", min_size=1, max_size=30),
    st.text(max_size=30),
)
_lines = (
    st.text(max_size=200)
    | _json_lines
    | _access_lines
    | st.binary(max_size=80).map(lambda raw: raw.decode("utf-8", "replace"))
)


@pytest.fixture(scope="module")
def pipeline():
    return load_pipeline("default")


def message(text: str, offset: int) -> dict:
    kafka = {"topic": "t", "partition": 0, "offset": offset, "key": None, "timestamp": NOV_26}
    return {"message": text, "@metadata": {"id": f"t-0-{offset}", "kafka": kafka}}


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(_lines, min_size=1, max_size=8))
def test_every_line_becomes_a_document_or_a_counted_drop(pipeline, lines):
    dropped_before = pipeline.dropped
    events = pipeline([message(line, n) for n, line in enumerate(lines)])
    events += pipeline.drain()
    docs = to_docs(events, "p")
    ids = {doc.id for doc in docs}
    assert len(ids) + pipeline.dropped - dropped_before == len(lines)
    assert pipeline.held() == 0
    for doc in docs:
        match = INDEX.fullmatch(doc.index)
        assert match, doc.index
        day = datetime(*map(int, match.groups()[1:]), tzinfo=UTC).timestamp() * 1000
        assert NOV_26 - 31 * DAY_MS <= day <= NOV_26 + DAY_MS, doc.index
        source = orjson.loads(doc.source)
        assert not {"_id", "_index", "_source", "@metadata"} & set(source)
        assert isinstance(source["@timestamp"], str)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_keys, _values, max_size=10), st.integers(-(2**40), 2**45) | st.none())
def test_the_document_builder_takes_any_event(event, kafka_ms):
    event["@metadata"] = {"id": "t-0-1", "kafka": {"timestamp": kafka_ms}}
    (doc,) = to_docs([event], "p")
    assert INDEX.fullmatch(doc.index), doc.index
    orjson.loads(doc.source)
