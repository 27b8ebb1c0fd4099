"""Replaying dead letters: a record cut to fit the topic is reported, never a crash."""

import orjson
import pytest

from logpipe.deadletter import dead_letter_record
from logpipe.delivery import Stats
from logpipe.documents import Doc
from logpipe.errors import LogpipeError
from logpipe.replay.kafka_units import restore_dead_letter
from logpipe.replay.runner import Summary
from logpipe.sink import Rejection


def record(source: bytes) -> bytes:
    kafka = {"topic": "logs", "partition": 2, "offset": 41, "key": None}
    doc = Doc("p-errors-2026.11.26", "logs-2-41", source, {"kafka": kafka}, "errors")
    return dead_letter_record(Rejection(doc, 400, "mapper_parsing_exception"), 10_000)


def test_a_whole_record_is_restored_under_its_id_and_index():
    doc = restore_dead_letter(record(b'{"message":"m"}'))
    assert doc is not None
    assert (doc.index, doc.id, doc.family) == ("p-errors-2026.11.26", "logs-2-41", "errors")
    assert orjson.loads(doc.source) == {"message": "m"}


def test_a_cut_record_is_not_restorable():
    cut = record(orjson.dumps({"message": "x" * 50_000}))
    assert orjson.loads(cut)["document_truncated"] is True
    assert restore_dead_letter(cut) is None


@pytest.mark.parametrize("value", [b"", b"[]", b'{"index": "i"}', b"not json"])
def test_other_records_are_refused_with_a_message(value):
    with pytest.raises(LogpipeError, match="not a logpipe dead-letter record"):
        restore_dead_letter(value)


def test_the_summary_names_unrestorable_dead_letters():
    lines = Summary(Stats(consumed=3, created=2), unrestorable=1).lines(dry_run=False)
    assert any("not restorable: 1 dead letter" in line for line in lines)


def test_a_restored_document_keeps_the_record_source_as_its_origin():
    doc = restore_dead_letter(record(b'{"message":"m"}'))
    assert doc is not None
    kafka = {"topic": "logs", "partition": 2, "offset": 41, "key": None}
    assert doc.origin == {"kafka": kafka}  # a second refusal names the same message
