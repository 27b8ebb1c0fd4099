"""The pipeline runner: a stage exception becomes a tag, counts tell drops from held lines, and
`process`, `tick` and `drain` own what holding stages keep."""

from logpipe.pipeline import load_pipeline
from logpipe.pipeline.runner import STAGE_EXCEPTION_TAG, BuiltStage, Pipeline
from logpipe.stages.base import BuildContext, HoldingStage
from logpipe.stages.envelope import EnvelopeConfig, EnvelopeStage
from logpipe.stages.multiline import MultilineConfig, MultilineStage


class Doubles:
    """Doubles `n`; raises on `n == 13`, like a stage with a bug for one kind of input."""

    def __init__(self):
        self.seen = []

    def __call__(self, events):
        for event in events:
            self.seen.append(event["n"])
            if event["n"] == 13:
                raise ValueError("Exceeds the limit (4300 digits) for integer string conversion")
            event["n"] *= 2
        return events


def mark_later(events):
    for event in events:
        event["later"] = True
    return events


def test_a_stage_exception_tags_the_event_and_the_batch_goes_on():
    doubles = Doubles()
    pipeline = Pipeline("p", [BuiltStage("2:grok", doubles), BuiltStage("3:x", mark_later)])
    out = pipeline([{"n": n} for n in (1, 13, 2)])
    assert [e["n"] for e in out] == [2, 13, 4]  # every event once through the stage, in order
    assert doubles.seen == [1, 13, 2]
    assert all(e["later"] for e in out)  # the failed event still goes through later stages
    failed = out[1]
    assert failed["tags"] == [STAGE_EXCEPTION_TAG]
    (failure,) = failed["logpipe"]["stage_failures"]
    assert failure["stage"] == "2:grok"
    assert failure["error"].startswith("ValueError: Exceeds the limit")
    assert "tags" not in out[0] and "tags" not in out[2]
    assert pipeline.stage_exceptions == 1
    assert pipeline.dropped == 0


def test_an_exception_outside_the_event_loop_tags_every_event_of_the_call():
    def broken(events):
        raise RuntimeError("database handle closed")

    pipeline = Pipeline("p", [BuiltStage("geoip", broken), BuiltStage("x", mark_later)])
    out = pipeline([{"n": 1, "logpipe": "scalar"}, {"n": 2}])
    assert len(out) == 2 and all(STAGE_EXCEPTION_TAG in e["tags"] for e in out)
    assert out[0]["_logpipe"] == "scalar"  # a scalar in the way is moved aside, not lost
    assert all(e["later"] for e in out)


def test_a_condition_that_raises_counts_as_not_met_with_the_event_tagged():
    def when(event):
        return 1 / event["d"] > 0

    pipeline = Pipeline("p", [BuiltStage("x", mark_later, when=when)])
    out = pipeline([{"d": 0}, {"d": 1}])
    assert STAGE_EXCEPTION_TAG in out[0]["tags"] and "later" not in out[0]
    assert out[1]["later"] is True
    assert out[0]["logpipe"]["stage_failures"][0]["stage"] == "x (when)"


def test_a_batch_chooser_that_raises_falls_back_to_the_condition_one_by_one():
    def when(event):
        return 1 / event["d"] > 0

    def choose(events):
        return [when(event) for event in events]

    pipeline = Pipeline("p", [BuiltStage("x", mark_later, when=when, choose=choose)])
    out = pipeline([{"d": 1}, {"d": 0}, {"d": 2}])
    assert [e.get("later") for e in out] == [True, None, True]
    assert STAGE_EXCEPTION_TAG in out[1]["tags"] and pipeline.stage_exceptions == 1


def test_a_poison_int_capture_through_the_default_pipeline_never_raises():
    line = (
        '203.0.113.9 - - [26/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 '
        + "9" * 5000
        + ' "-" "curl"'
    )
    pipeline = load_pipeline("default")
    event = {"message": line, "@metadata": {"id": "t-0-0", "kafka": {"timestamp": 1}}}
    (out,) = pipeline([event])
    assert out["@metadata"]["id"] == "t-0-0"


def kafka_event(text, offset, key):
    meta = {
        "id": f"t-0-{offset}",
        "kafka": {"topic": "t", "partition": 0, "offset": offset, "key": key},
    }
    return {"message": text, "@metadata": meta}


def multiline_pipeline():
    stage = MultilineStage(MultilineConfig(max_wait_seconds=5), BuildContext())
    return Pipeline("p", [BuiltStage("join", stage)]), stage


def test_held_and_joined_lines_are_not_counted_as_dropped():
    pipeline, _stage = multiline_pipeline()
    assert pipeline([kafka_event("start", 0, "a"), kafka_event("\tat x", 1, "a")]) == []
    assert (pipeline.dropped, pipeline.joined, pipeline.held()) == (0, 1, 1)
    (joined,) = pipeline([kafka_event("next", 2, "a")])
    assert joined["message"] == "start\n\tat x"
    assert (pipeline.dropped, pipeline.joined, pipeline.held()) == (0, 1, 1)
    assert [e["message"] for e in pipeline.drain()] == ["next"]
    assert (pipeline.dropped, pipeline.held()) == (0, 0)


def test_a_batch_releasing_more_than_it_brings_never_counts_negative():
    pipeline, stage = multiline_pipeline()
    pipeline([kafka_event("first", n, key) for n, key in enumerate("abc")])
    assert pipeline.held() == 3
    for group in stage._open.values():
        group.opened -= 10  # they waited past max_wait_seconds
    out = pipeline([kafka_event("one more", 3, "d")])
    assert [e["message"] for e in out] == ["first"] * 3
    assert (pipeline.dropped, pipeline.held()) == (0, 1)


def test_drop_counts_only_what_a_drop_stage_removed():
    pipeline = load_pipeline("default")
    events = [{"message": '{"level":"debug","message":"x"}', "@metadata": {"id": "a"}}]
    assert pipeline(events) == []
    assert (pipeline.dropped, pipeline.joined) == (1, 0)


def test_the_recorded_error_never_quotes_a_secret_from_the_event():
    def leaky(events):
        for event in events:
            raise ValueError(f"cannot convert {event['message']!r}")
        return events

    pipeline = Pipeline("p", [BuiltStage("convert", leaky)])
    (out,) = pipeline([{"message": "password=hunter2-Secret!"}])
    error = out["logpipe"]["stage_failures"][0]["error"]
    assert "hunter2" not in error and error.startswith("ValueError: cannot convert")


def test_a_batch_of_poison_lines_is_tagged_line_by_line():
    doubles = Doubles()
    pipeline = Pipeline("p", [BuiltStage("grok", doubles)])
    out = pipeline([{"n": 13} for _ in range(3000)])  # each one raises
    assert len(out) == 3000 and all(e["tags"] == [STAGE_EXCEPTION_TAG] for e in out)
    assert pipeline.stage_exceptions == 3000


def test_holding_stages_are_found_once_when_built():
    multiline = MultilineStage(MultilineConfig(), BuildContext())
    assert isinstance(multiline, HoldingStage)
    assert BuiltStage("join", multiline).holding is multiline
    assert BuiltStage("x", mark_later).holding is None
    assert Pipeline("p", [BuiltStage("x", mark_later)]).drain() == []


def test_tick_releases_only_groups_whose_wait_is_over():
    pipeline, stage = multiline_pipeline()
    pipeline([kafka_event("a", 0, "a"), kafka_event("b", 1, "b")])
    stage._open[("t", 0, "a")].opened -= 10
    assert [e["message"] for e in pipeline.tick(stage._open[("t", 0, "b")].opened + 1)] == ["a"]
    assert pipeline.held_offsets() == {("t", 0): 1}
    pipeline.release({("t", 0)})
    assert (pipeline.held(), pipeline.drain()) == (0, [])


def cri(text, offset, piece="F"):
    line = f"2026-11-26T10:00:00.000000000Z stdout {piece} {text}"
    return kafka_event(line, offset, "k")


def test_drain_passes_what_one_holding_stage_releases_through_the_next_one():
    """A piece the envelope held, released at the end, can open a group multiline holds."""
    envelope = EnvelopeStage(EnvelopeConfig(), BuildContext())
    multiline = MultilineStage(MultilineConfig(), BuildContext())
    pipeline = Pipeline(
        "p",
        [
            BuiltStage("unwrap", envelope),
            BuiltStage("join", multiline),
            BuiltStage("x", mark_later),
        ],
    )
    assert pipeline([cri("start", 0), cri("\tat x", 1), cri("piece", 2, "P")]) == []
    assert pipeline.held() == 2 and pipeline.held_offsets() == {("t", 0): 0}
    out = pipeline.drain()
    assert [e["message"] for e in out] == ["start\n\tat x", "piece"]
    assert all(e["later"] for e in out)
    assert (pipeline.held(), pipeline.dropped, pipeline.joined) == (0, 0, 1)


def test_a_condition_keeps_unselected_events_in_place_and_puts_created_ones_last():
    pipeline, _stage = multiline_pipeline()
    stage = pipeline.stages[0]
    pipeline.stages[0] = BuiltStage("join", stage.stage, when=lambda e: e["message"] != "skip")
    assert pipeline([kafka_event("start", 0, "a"), kafka_event("skip", 1, "b")]) == [
        kafka_event("skip", 1, "b")
    ]
    out = pipeline(
        [kafka_event("skip", 2, "b"), kafka_event("next", 3, "a"), kafka_event("skip", 4, "b")]
    )
    assert [e["message"] for e in out] == ["skip", "skip", "start"]
    assert (pipeline.dropped, pipeline.held()) == (0, 1)


def test_a_conditional_drop_removes_only_the_selected_events():
    pipeline = Pipeline("p", [BuiltStage("drop", lambda events: [], when=lambda e: e["n"] % 2)])
    assert [e["n"] for e in pipeline([{"n": n} for n in range(5)])] == [0, 2, 4]
    assert pipeline.dropped == 2
