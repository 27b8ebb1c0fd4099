"""The retry loop of delivery, against an in-memory engine (the real engines are in integration)."""

import orjson

from logpipe.delivery import Delivery, Stats
from logpipe.documents import Doc
from logpipe.errors import EngineUnavailable
from logpipe.metrics import Metrics
from logpipe.sink import BulkSink


class ScriptedEngine:
    """Answers each bulk request from a script: a list of statuses per item, or an outage."""

    name = "scripted"

    def __init__(self, script):
        self.script = list(script)
        self.requests: list[list[str]] = []

    def bulk(self, body):
        lines = [orjson.loads(line) for line in body.split(b"\n") if line]
        ids = [next(iter(action.values()))["_id"] for action in lines[0::2]]
        self.requests.append(ids)
        step = self.script.pop(0) if self.script else "ok"
        if step == "down":
            raise EngineUnavailable("connection refused")
        statuses = step if isinstance(step, list) else [201] * len(ids)
        items = []
        for status in statuses:
            item = {"_index": "i", "_id": "x", "status": status}
            if status == 400:
                item["error"] = {"type": "mapper_parsing_exception", "reason": "bad"}
            items.append({"create": item})
        return {"errors": any(s >= 300 for s in statuses), "items": items}


class RecordingDeadLetters:
    def __init__(self):
        self.sent = []

    def send(self, rejections):
        self.sent.extend(r.doc.id for r in rejections)


def make(engine, holds):
    return Delivery(
        sink=BulkSink(engine),
        dead_letters=RecordingDeadLetters(),
        index_prefix="p",
        metrics=Metrics(),
        stats=Stats(),
        max_backoff=0.01,
        wait=lambda _seconds: None,
        on_hold=holds.append,
    )


def docs(n):
    return [Doc("p-logs-2026.11.26", f"t-0-{i}", b'{"n":1}', {"kafka": {}}) for i in range(n)]


def test_only_the_429_and_5xx_items_are_resent_until_accepted():
    engine = ScriptedEngine([[201, 429, 201, 503, 400], [429, 201], "ok"])
    holds: list[bool] = []
    delivery = make(engine, holds)
    assert delivery.deliver(docs(5))
    assert engine.requests == [
        ["t-0-0", "t-0-1", "t-0-2", "t-0-3", "t-0-4"],
        ["t-0-1", "t-0-3"],
        ["t-0-1"],
    ]
    assert delivery.dead_letters.sent == ["t-0-4"]
    assert (delivery.stats.created, delivery.stats.dead_lettered) == (4, 1)
    assert holds == [True, False]  # partitions paused once, resumed once


def test_outage_holds_then_resends_everything():
    engine = ScriptedEngine(["down", "down", "ok"])
    holds: list[bool] = []
    delivery = make(engine, holds)
    assert delivery.deliver(docs(3))
    assert len(engine.requests) == 3 and engine.requests[2] == ["t-0-0", "t-0-1", "t-0-2"]
    assert delivery.engine_up and holds == [True, False]


def test_giving_up_leaves_the_batch_unacknowledged():
    engine = ScriptedEngine(["down"] * 100)
    delivery = make(engine, [])
    attempts = iter(range(100))
    delivery.give_up = lambda: next(attempts) >= 3
    assert delivery.deliver(docs(2)) is False
    assert delivery.stats.created == 0


def test_a_drop_count_going_down_never_crashes_delivery():
    delivery = make(ScriptedEngine([]), [])
    event = {"message": "m", "@metadata": {"id": "t-0-0", "kafka": {}}}
    assert delivery.deliver(delivery.build([dict(event)], 10, read=1))
    assert delivery.deliver(delivery.build([event], 7, read=1))  # as a holding stage once made it
    assert (delivery.stats.dropped, delivery.stats.consumed) == (10, 2)


def test_multiline_releasing_more_than_a_batch_brings_is_not_a_crash_nor_a_drop(monkeypatch):
    """Issue 10 item 3: plaintext-traces with one message every 0-3 s on 3 keys."""
    import random
    import time

    from logpipe.pipeline.loader import load_pipeline

    pipeline = load_pipeline("plaintext-traces")
    delivery = make(ScriptedEngine([]), [])
    clock = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])  # the stage's clock
    rng = random.Random(7)
    for offset in range(60):
        clock[0] += rng.uniform(0, 3)
        line = "  at Frame.run(Frame.java:1)" if rng.random() < 0.4 else f"line {offset}"
        kafka = {"topic": "t", "partition": 0, "offset": offset, "key": f"k{offset % 3}"}
        event = {"message": line, "@metadata": {"id": f"t-0-{offset}", "kafka": kafka}}
        events = pipeline.process([event])
        assert delivery.deliver(delivery.build(events, pipeline.dropped, read=1))
        assert delivery.deliver(delivery.build(pipeline.tick(clock[0]), pipeline.dropped))
    assert delivery.deliver(delivery.build(pipeline.drain(), pipeline.dropped))
    assert (delivery.stats.dropped, delivery.stats.consumed, pipeline.held()) == (0, 60, 0)


def test_only_declared_failure_tags_become_metric_labels():
    delivery = make(ScriptedEngine([]), [])
    events = [
        {"message": "m", "tags": ["_grokparsefailure", f"_made_up_{n}", f"user-{n}"]}
        for n in range(50)
    ]
    delivery._count_tags(events)
    labels = {
        sample.labels["tag"]
        for family in delivery.metrics.registry.collect()
        if family.name == "logpipe_stage_failures"
        for sample in family.samples
        if "tag" in sample.labels
    }
    assert labels == {"_grokparsefailure", "other"}


def test_the_tag_tally_stays_bounded():
    from logpipe.tagcount import MAX_NAMES

    delivery = make(ScriptedEngine([]), [])
    for batch in range(5):
        events = [{"tags": [f"t{batch}-{n}", "x" * 100_000]} for n in range(1000)]
        delivery._count_tags(events)
    assert len(delivery.tags) <= MAX_NAMES + 1
    assert delivery.tags["other"] >= 4000
    assert sum(delivery.tags.values()) == 10_000


def test_a_write_block_holds_the_batch_and_is_logged_once(caplog):
    block = [403] * 3
    engine = ScriptedEngine([block] * 12 + ["ok"])
    original = engine.bulk

    def blocked(body):
        answer = original(body)
        for entry in answer["items"]:
            result = entry["create"]
            if result["status"] == 403:
                result["error"] = {
                    "type": "cluster_block_exception",
                    "reason": "index [p-logs-2026.11.26] blocked by: "
                    "[FORBIDDEN/8/index write (api)];",
                }
        return answer

    engine.bulk = blocked
    holds: list[bool] = []
    delivery = make(engine, holds)
    with caplog.at_level("WARNING"):
        assert delivery.deliver(docs(3))
    assert delivery.dead_letters.sent == [] and delivery.stats.created == 3
    assert holds == [True, False]
    assert caplog.text.count("writes blocked: index [p-logs-2026.11.26]") == 1


def test_engine_gone_between_split_requests_is_an_outage_not_a_crash():
    engine = ScriptedEngine(["ok", "down", "ok", "ok"])
    holds: list[bool] = []
    delivery = make(engine, holds)
    delivery.sink.max_bytes = 120  # one document per request
    assert delivery.deliver(docs(3))
    assert delivery.stats.created == 3 and holds == [True, False]


def test_dead_letters_are_logged_briefly(caplog):
    engine = ScriptedEngine([[400] * 15])
    original = engine.bulk

    def quoting(body):  # engines quote the refused value in the reason
        answer = original(body)
        for entry in answer["items"]:
            entry["create"]["error"]["reason"] = "Preview of field's value: " + "n" * 100_000
        return answer

    engine.bulk = quoting
    delivery = make(engine, [])
    with caplog.at_level("WARNING"):
        assert delivery.deliver(docs(15))
    assert delivery.stats.dead_lettered == 15
    lines = [r.getMessage() for r in caplog.records if "dead-lettered" in r.getMessage()]
    assert len(lines) == 11 and "5 more" in lines[-1]
    assert max(len(line) for line in lines) < 500
