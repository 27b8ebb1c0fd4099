"""`engines.read_answer`: a clean bulk answer's items counted; every other answer parsed whole."""

from __future__ import annotations

import orjson
import pytest

from logpipe.documents import Doc
from logpipe.engines import _elasticsearch_serializer, _opensearch_serializer, read_answer
from logpipe.sink import read_response

CLEAN = b'{"errors":false,"items":[' + b",".join([b'{"create":{"status":201}}'] * 4) + b"]}"


def docs(count: int) -> list[Doc]:
    return [Doc("p-logs-2026.12.06", f"t-0-{n}", b"{}", {}, "logs") for n in range(count)]


@pytest.mark.parametrize("data", [CLEAN, CLEAN.decode()])
def test_a_clean_answer_gets_its_items_counted(data):
    assert read_answer(data) == {"errors": False, "items": range(4)}


@pytest.mark.parametrize(
    "answer",
    [
        {"took": 3, "errors": False, "items": [{"create": {"status": 201}}]},  # no filter_path
        {"errors": True, "items": [{"create": {"status": 409, "error": {"type": "x"}}}]},
        {"items": [{"index": {"status": 201}}], "errors": False},  # another order
        {"name": "node-1", "version": {"number": "2.19.0"}},
    ],
)
def test_any_other_answer_is_parsed_whole(answer):
    data = orjson.dumps(answer)
    assert read_answer(data) == answer
    assert read_answer(data.decode()) == answer


def test_counted_items_give_the_outcome_parsed_ones_give():
    counted = read_response(docs(4), read_answer(CLEAN))
    parsed = read_response(docs(4), orjson.loads(CLEAN))
    assert counted.created == parsed.created == {"logs": 4}
    assert (counted.existing, counted.retry, counted.rejected) == (0, [], [])


def test_a_clean_answer_for_fewer_items_than_sent_resends_everything():
    outcome = read_response(docs(5), read_answer(CLEAN))
    assert outcome.created == {} and len(outcome.retry) == 5


def test_both_clients_serializers_read_answers_this_way():
    assert _opensearch_serializer().loads(CLEAN.decode()) == {"errors": False, "items": range(4)}
    assert _elasticsearch_serializer().loads(CLEAN) == {"errors": False, "items": range(4)}
    assert _elasticsearch_serializer().loads(b'{"a":1}') == {"a": 1}
