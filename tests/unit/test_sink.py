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
        "@metadata": {
            "id": "t-0-1",
            "families": ["logs", "errors"],
            "kafka": {"timestamp": 1795780800000},  # 2026-11-27T12:00:00Z
        },
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


class SizeLimitedEngine:
    """Answers 413 to bodies over `limit` bytes, else creates every item."""

    name = "limited"

    def __init__(self, limit):
        self.limit = limit
        self.sizes: list[int] = []

    def bulk(self, body):
        from logpipe.engines import RequestTooLarge

        self.sizes.append(len(body))
        if len(body) > self.limit:
            raise RequestTooLarge("limited answered 413: request too large")
        count = len([line for line in body.split(b"\n") if line]) // 2
        return {"errors": False, "items": [item(201)] * count}


def big_doc(n, size):
    return Doc("p-logs-2026.11.26", f"t-0-{n}", orjson.dumps({"m": "x" * size}), {"kafka": {}})


def test_bodies_are_split_to_stay_under_the_byte_budget():
    engine = SizeLimitedEngine(limit=10**9)
    sink = BulkSink(engine, max_bytes=100_000)
    outcome = sink.write([big_doc(i, 30_000) for i in range(10)])
    assert outcome.created == {"logs": 10}
    assert len(engine.sizes) == 4 and max(engine.sizes) <= 100_000


def test_413_halves_the_request_and_only_a_document_too_big_alone_is_refused():
    engine = SizeLimitedEngine(limit=200_000)
    sink = BulkSink(engine, max_bytes=10 * 1024 * 1024)
    docs = [big_doc(i, 50_000) for i in range(8)] + [big_doc(99, 300_000)]
    outcome = sink.write(docs)
    assert outcome.created == {"logs": 8}
    assert [r.doc.id for r in outcome.rejected] == ["t-0-99"]
    assert outcome.rejected[0].status == 413
    assert outcome.rejected[0].reason.startswith("document_too_large:")
    assert sink.max_bytes < 10 * 1024 * 1024  # it learnt the engine's limit


def test_whole_request_400_isolates_the_document_to_blame():
    from logpipe.engines import RequestRefused

    class Refusing:
        def bulk(self, body):
            if b"poison" in body:
                raise RequestRefused(400, "engine refused the request (400): bad body")
            count = len([line for line in body.split(b"\n") if line]) // 2
            return {"errors": False, "items": [item(201)] * count}

    docs = [doc(i) for i in range(5)]
    docs[3] = Doc("p-logs-2026.11.26", "t-0-3", b'{"poison":1}', {"kafka": {}})
    outcome = BulkSink(Refusing()).write(docs)
    assert outcome.created == {"logs": 4}
    assert [(r.doc.id, r.status) for r in outcome.rejected] == [("t-0-3", 400)]


def test_engine_gone_mid_write_keeps_what_earlier_requests_did():
    from logpipe.errors import EngineUnavailable

    class GoesAway:
        calls = 0

        def bulk(self, body):
            self.calls += 1
            if self.calls > 1:
                raise EngineUnavailable("connection refused")
            count = len([line for line in body.split(b"\n") if line]) // 2
            return {"errors": False, "items": [item(201)] * count}

    docs = [big_doc(i, 40_000) for i in range(4)]
    outcome = BulkSink(GoesAway(), max_bytes=100_000).write(docs)
    assert outcome.created == {"logs": 2}
    assert [d.id for d in outcome.retry] == ["t-0-2", "t-0-3"]
    assert outcome.unavailable is not None


def test_blocks_closed_indices_and_the_shard_limit_are_retried_not_refused():
    block = {
        "type": "cluster_block_exception",
        "reason": "index [p-logs-2026.11.26] blocked by: [FORBIDDEN/8/index write (api)];",
    }
    shards = {
        "type": "validation_exception",
        "reason": "Validation Failed: 1: this action would add [2] total shards, but this "
        "cluster currently has [1000]/[1000] maximum shards open;",
    }
    closed = {"type": "index_closed_exception", "reason": "closed"}
    missing = {"type": "index_not_found_exception", "reason": "no such index [p-logs]"}
    mapping = {"type": "mapper_parsing_exception", "reason": "failed to parse"}
    docs = [doc(i) for i in range(5)]
    statuses = [item(403, block), item(400, shards), item(400, closed), item(404, missing)]
    response = {"errors": True, "items": [*statuses, item(400, mapping)]}
    outcome = read_response(docs, response)
    assert [d.id for d in outcome.retry] == ["t-0-0", "t-0-1", "t-0-2", "t-0-3"]
    assert [r.doc.id for r in outcome.rejected] == ["t-0-4"]
    assert set(outcome.conditions) == {
        "block [FORBIDDEN/8/index write (api)]",
        "shard limit",
        "closed index",
        "missing index",
    }
    assert "cluster.max_shards_per_node" in outcome.conditions["shard limit"]


def test_whole_request_errors_are_never_fatal_except_refused_credentials():
    from logpipe.engines import RequestRefused, RequestTooLarge, _classify
    from logpipe.errors import EngineUnavailable, LogpipeError

    assert isinstance(_classify(413, "os", "too large"), RequestTooLarge)
    assert isinstance(_classify(400, "os", "bad"), RequestRefused)
    assert isinstance(_classify(404, "os", "no handler"), EngineUnavailable)
    blocked = _classify(403, "os", "cluster_block_exception: blocked by: [FORBIDDEN/6/read-only]")
    assert isinstance(blocked, EngineUnavailable)
    credentials = _classify(401, "os", "unauthorized")
    assert type(credentials) is LogpipeError and "credentials" in str(credentials)
