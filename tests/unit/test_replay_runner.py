"""The replay runner, real file units, an in-memory engine: nothing multiline holds is lost."""

import os

import orjson

from logpipe.pipeline import load_pipeline
from logpipe.replay.checkpoint import Checkpoint
from logpipe.replay.file_units import FileUnit
from logpipe.replay.runner import Replay, ReplayOptions

TRACE = [
    "2026-11-26 10:00:00 ERROR request failed",
    "java.lang.IllegalStateException: locked",
    "\tat com.example.Service.run(Service.java:10)",
    "2026-11-26 10:00:01 INFO next request",
    "\tat com.example.Other.run(Other.java:20)",
]


class MemoryEngine:
    """Takes every bulk item (201) and keeps the documents; answers index settings from a dict."""

    name = "memory"

    def __init__(self, blocked=()):
        self.docs: dict[str, dict] = {}
        self.client = self
        self.indices = self
        self.blocked = set(blocked)

    def bulk(self, body):
        lines = [orjson.loads(line) for line in body.split(b"\n") if line]
        items = []
        for action, source in zip(lines[0::2], lines[1::2], strict=True):
            ((op, meta),) = action.items()
            self.docs[meta["_id"]] = {"_index": meta["_index"], **source}
            items.append({op: {"_index": meta["_index"], "_id": meta["_id"], "status": 201}})
        return {"errors": False, "items": items}

    def get_settings(self, index, flat_settings):
        blocked = "true" if index in self.blocked else "false"
        return {index: {"settings": {"index.blocks.write": blocked}}}


def replay(tmp_path, files, engine, batch_size=2, pipeline="plaintext-traces", **options):
    units = [FileUnit(path) for path in files]
    runner = Replay(
        units,
        load_pipeline(pipeline),
        engine,
        None,
        Checkpoint(tmp_path / "checkpoint"),
        ReplayOptions(index_prefix="p", batch_size=batch_size, **options),
    )
    return runner.run(), units


def test_what_multiline_holds_at_the_end_of_a_file_is_indexed(tmp_path):
    path = tmp_path / "app.log"
    path.write_text("\n".join(TRACE) + "\n")
    engine = MemoryEngine()
    summary, (unit,) = replay(tmp_path, [path], engine)
    assert (summary.stats.consumed, summary.failed) == (5, 0)
    messages = sorted(doc["message"] for doc in engine.docs.values())
    assert messages == ["\n".join(TRACE[:3]), "\n".join(TRACE[3:])]
    assert Checkpoint(tmp_path / "checkpoint").get(unit.key, 0) == 5


def test_the_checkpoint_never_passes_a_held_line(tmp_path):
    path = tmp_path / "app.log"
    path.write_text("\n".join(TRACE) + "\n")

    class StopAfterTwoBatches(MemoryEngine):
        def bulk(self, body):
            answer = super().bulk(body)
            runner.stop()
            return answer

    engine = StopAfterTwoBatches()
    (unit,) = [FileUnit(path)]
    checkpoint = Checkpoint(tmp_path / "checkpoint")
    options = ReplayOptions(index_prefix="p", batch_size=4)
    runner = Replay([unit], load_pipeline("plaintext-traces"), engine, None, checkpoint, options)
    summary = runner.run()
    assert summary.interrupted
    # Lines 1-4 were read; line 4 starts a group still held: resume reads it again.
    assert checkpoint.get(unit.key, 0) == 3


def test_multiline_groups_lines_per_file(tmp_path):
    first, second = tmp_path / "a.log", tmp_path / "b.log"
    first.write_text("a starts\n")
    second.write_text("\tat b.continues\nb next\n")
    engine = MemoryEngine()
    summary, _units = replay(tmp_path, [first, second], engine, batch_size=10)
    messages = sorted(doc["message"] for doc in engine.docs.values())
    assert messages == ["\tat b.continues", "a starts", "b next"]
    assert summary.stats.created == 3


def test_times_are_judged_by_the_files_modification_time(tmp_path):
    path = tmp_path / "old.ndjson"
    path.write_text('{"timestamp": "2024-03-01T10:00:00Z", "message": "old"}\n')
    march = 1_709_337_600  # 2024-03-02T00:00:00Z
    os.utime(path, (march, march))
    engine = MemoryEngine()
    replay(tmp_path, [path], engine, pipeline="default")
    (doc,) = engine.docs.values()
    assert doc["_index"] == "p-logs-2024.03.01"
    assert "tags" not in doc


def test_an_explicit_time_window_applies_to_every_event(tmp_path):
    path = tmp_path / "app.ndjson"
    path.write_text('{"timestamp": "2026-11-20T10:00:00Z", "message": "m"}\n')
    november = 1_795_046_400_000  # 2026-11-19T00:00:00Z
    engine = MemoryEngine()
    window = (november + 86_400_000 * 3, november + 86_400_000 * 4)  # 2026-11-22..23
    replay(tmp_path, [path], engine, pipeline="default", time_window=window)
    (doc,) = engine.docs.values()
    assert doc["tags"] == ["_timestamp_out_of_range"]
    assert doc["_index"] == "p-logs-2026.11.23"  # the file time (now), clamped into the window


def test_days_made_read_only_by_the_lifecycle_are_reported_not_written(tmp_path):
    path = tmp_path / "app.ndjson"
    path.write_text(
        '{"timestamp": "2026-11-20T10:00:00Z", "message": "old day"}\n'
        '{"timestamp": "2026-11-26T10:00:00Z", "message": "new day"}\n'
    )
    stamp = 1_795_687_200  # 2026-11-26T10:00:00Z
    os.utime(path, (stamp, stamp))
    engine = MemoryEngine(blocked={"p-logs-2026.11.20"})
    summary, _units = replay(tmp_path, [path], engine, pipeline="default")
    assert [doc["message"] for doc in engine.docs.values()] == ["new day"]
    assert (summary.stats.created, summary.read_only, summary.stats.dead_lettered) == (1, 1, 0)
    assert "1 document(s) for read-only indices" in "\n".join(summary.lines(dry_run=False))


def test_replay_counts_what_the_pipeline_read_and_dropped(tmp_path):
    path = tmp_path / "app.ndjson"
    path.write_text('{"level": "debug", "message": "d"}\n{"level": "info", "message": "i"}\n')
    pipeline = load_pipeline("default")
    options = ReplayOptions(index_prefix="p", batch_size=10)
    checkpoint = Checkpoint(tmp_path / "checkpoint")
    runner = Replay([FileUnit(path)], pipeline, MemoryEngine(), None, checkpoint, options)
    summary = runner.run()
    assert (summary.stats.consumed, summary.stats.created) == (2, 1)
    assert (runner.stats.consumed, runner.stats.dropped, pipeline.dropped) == (2, 1, 1)
