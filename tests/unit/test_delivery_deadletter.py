"""Dead-letter records always fit the producer's limit (issue 10 item 7)."""

import hashlib

import orjson
import pytest

from logpipe.deadletter import DEFAULT_MAX_BYTES, DeadLetterWriter, dead_letter_record
from logpipe.documents import Doc
from logpipe.sink import Rejection


def rejection(
    source: bytes, reason: str = "mapper_parsing_exception: failed to parse"
) -> Rejection:
    kafka = {"topic": "logs", "partition": 2, "offset": 41, "key": "k"}
    return Rejection(Doc("p-logs-2026.11.26", "logs-2-41", source, {"kafka": kafka}), 400, reason)


def test_a_small_record_keeps_the_whole_document():
    record = orjson.loads(dead_letter_record(rejection(b'{"message":"m"}')))
    assert record["document"] == {"message": "m"}
    assert "document_truncated" not in record


@pytest.mark.parametrize("filler", ["x", "\u0001", "é"])  # plain, escaped x6, two-byte
def test_an_oversized_document_is_cut_with_its_size_and_hash(filler):
    source = orjson.dumps({"message": filler * 3_000_000})
    value = dead_letter_record(rejection(source, "too big: " + "r" * 50_000))
    assert len(value) <= DEFAULT_MAX_BYTES
    record = orjson.loads(value)
    assert record["document_truncated"] is True
    assert record["document_bytes"] == len(source)
    assert record["document_sha256"] == hashlib.sha256(source).hexdigest()
    assert record["id"] == "logs-2-41" and record["index"] == "p-logs-2026.11.26"
    assert record["source"]["offset"] == 41 and record["status"] == 400
    assert record["reason"].startswith("too big: ")
    assert len(record["document_head"]) > 100_000
    assert source.decode().startswith(record["document_head"])
    assert "document" not in record


def test_the_writer_budget_follows_message_max_bytes():
    writer = DeadLetterWriter(
        {"bootstrap.servers": "127.0.0.1:1", "message.max.bytes": 200_000}, "dlq", timeout=0.1
    )
    assert writer.max_bytes < 200_000
    value = dead_letter_record(rejection(b'{"m":"' + b"x" * 500_000 + b'"}'), writer.max_bytes)
    assert len(value) <= writer.max_bytes
