import orjson

from logpipe.documents import Doc, index_date, to_docs
from logpipe.sink import BulkSink, build_body, read_response


def doc(n):
    return Doc("p-logs-2026.11.26", f"t-0-{n}", orjson.dumps({"n": n}), {"kafka": {}})


def item(status, error=None):
    body = {"_index": "i", "_id": "x", "status": status}
    if error:
        body["error"] = error
    return {"create": body}


def test_body_is_ndjson_create_lines():
    body = build_body([doc(1), doc(2)])
    lines = body.split(b"\n")
    assert orjson.loads(lines[0]) == {"create": {"_index": "p-logs-2026.11.26", "_id": "t-0-1"}}
    assert orjson.loads(lines[1]) == {"n": 1}
    assert body.endswith(b"\n") and len(lines) == 5


def test_items_sorted_by_status():
    docs = [doc(i) for i in range(5)]
    mapping = {
        "type": "document_parsing_exception",
        "reason": "failed to parse [x]",
        "caused_by": {"type": "illegal_argument_exception", "reason": "bad"},
    }
    response = {
        "errors": True,
        "items": [item(201), item(409), item(429), item(503), item(400, mapping)],
    }
    outcome = read_response(docs, response)
    assert (outcome.created, outcome.existing) == ({"logs": 1}, 1)
    assert [d.id for d in outcome.retry] == ["t-0-2", "t-0-3"]
    assert outcome.retry_statuses == {429: 1, 503: 1}
    assert len(outcome.rejected) == 1
    assert outcome.rejected[0].doc.id == "t-0-4"
    assert "document_parsing_exception: failed to parse [x]" in outcome.rejected[0].reason
    assert "caused by illegal_argument_exception: bad" in outcome.rejected[0].reason


def test_mismatched_answer_resends_everything():
    docs = [doc(1), doc(2)]
    assert read_response(docs, {"errors": False, "items": []}).retry == docs


class FlakyEngine:
    """Answers 429 for every other item of the first request, then accepts everything."""

    name = "fake"

    def __init__(self):
        self.requests: list[list[str]] = []

    def bulk(self, body):
        lines = [orjson.loads(line) for line in body.split(b"\n") if line]
        ids = [line["create"]["_id"] for line in lines[0::2]]
        self.requests.append(ids)
        first = len(self.requests) == 1
        items = [item(429 if first and i % 2 else 201) for i in range(len(ids))]
        return {"errors": first, "items": items}


def test_only_429_items_are_resent():
    engine = FlakyEngine()
    sink = BulkSink(engine)
    docs = [doc(i) for i in range(6)]
    first = sink.write(docs)
    assert first.created == {"logs": 3}
    second = sink.write(first.retry)
    assert engine.requests[1] == ["t-0-1", "t-0-3", "t-0-5"]
    assert second.created == {"logs": 3} and not second.retry


def test_index_date_and_families():
    event = {
        "@timestamp": "2026-11-26T23:59:59.000-02:00",
        "message": "m",
        "@metadata": {"id": "t-0-1", "families": ["logs", "errors"]},
    }
    docs = to_docs([event], "rolerabbit")
    assert [d.index for d in docs] == ["rolerabbit-logs-2026.11.27", "rolerabbit-errors-2026.11.27"]
    assert b"@metadata" not in docs[0].source


def test_index_date_falls_back_to_kafka_timestamp():
    event = {"message": "m"}
    origin = {"kafka": {"timestamp": 1764115200000}}  # 2025-11-26T00:00:00Z
    assert index_date(event, origin) == "2025.11.26"
    assert event["@timestamp"] == "2025-11-26T00:00:00.000Z"
    assert index_date({"@timestamp": "garbage"}, origin) == "2025.11.26"
