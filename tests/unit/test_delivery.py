"""The retry loop of delivery, against an in-memory engine (the real engines are in integration)."""

import orjson

from logpipe.delivery import Delivery, Stats
from logpipe.documents import Doc
from logpipe.errors import EngineUnavailable
from logpipe.metrics import Metrics
from logpipe.pipeline.runner import Pipeline
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
        pipeline=Pipeline("t"),
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
