"""Bulk answers as the real engines write them: a clean one's items counted, not parsed.

`engines.read_answer` counts the items of an answer that starts as the engines write one with
no failed item under `BULK_FILTER`; anything else is parsed whole. Both must give `BulkSink` the
same outcome: every document created, then every one already there (409) when sent again.
"""

from __future__ import annotations

import orjson
import pytest

from logpipe.documents import Doc
from logpipe.engines import connect
from logpipe.settings import Settings
from logpipe.sink import BulkSink, build_body


@pytest.fixture
def sink(engine, prefix):
    settings = Settings(engine=engine.kind, engine_url=[engine.url], index_prefix=prefix)
    connected = connect(settings)
    yield connected, BulkSink(connected)
    connected.close()
    engine.delete(f"{prefix}-*")


def docs(prefix: str, count: int) -> list[Doc]:
    return [
        Doc(f"{prefix}-logs-2026.12.06", f"bulk-0-{n}", orjson.dumps({"n": n}), {})
        for n in range(count)
    ]


def test_a_clean_answer_counts_every_document_created_and_a_repeat_every_one_existing(
    engine, prefix, sink
):
    _engine, bulk = sink
    created = bulk.write(docs(prefix, 25))
    assert created.created == {"logs": 25}
    assert (created.existing, created.retry, created.rejected) == (0, [], [])
    again = bulk.write(docs(prefix, 25))
    assert again.created == {} and again.existing == 25
    assert engine.count(f"{prefix}-*") == 25


def test_the_engines_write_the_clean_answer_in_the_form_that_is_counted(sink, prefix):
    engine, _bulk = sink
    body = build_body(docs(prefix, 3))
    assert engine.bulk(body) == {"errors": False, "items": range(3)}
    failed = engine.bulk(body)  # the same ids again: every item a 409
    assert failed["errors"] is True
    assert [item["create"]["status"] for item in failed["items"]] == [409] * 3
