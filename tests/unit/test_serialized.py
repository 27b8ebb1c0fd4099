"""One serialisation per event: redact's scan bytes become document sources, only when safe."""

from __future__ import annotations

import copy
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.bench_mix import corpus_messages, fresh_events, mix
from logpipe.documents import encode, to_docs
from logpipe.pipeline import load_pipeline
from logpipe.pipeline.runner import BuiltStage, Pipeline
from logpipe.serialized import SOURCE_KEY, share_serialization
from logpipe.stages.base import BuildContext
from logpipe.stages.redact import RedactConfig, RedactStage
from logpipe.stages.route import RouteStage

STAMP = "2026-11-26T10:00:00.000Z"
KAFKA_MS = 1_795_692_000_000  # 2026-11-26T11:20:00Z


def stage_objects(pipeline: Pipeline) -> list:
    return [built.stage for built in pipeline.stages]


def redact(**options) -> RedactStage:
    return RedactStage(RedactConfig(**options), BuildContext())


def checked_event(n: int, **fields) -> dict:
    """An event as the timestamp stage leaves it: to_docs would not change it."""
    meta = {"id": f"t-0-{n}", "kafka": {"timestamp": KAFKA_MS}, "time_checked": STAMP}
    return {"message": "clean", "@timestamp": STAMP, **fields, "@metadata": meta}


def without_metadata(event: dict) -> dict:
    return {key: value for key, value in event.items() if key != "@metadata"}


@pytest.mark.parametrize("messages", [corpus_messages(), mix(6_000)], ids=["corpus", "mix"])
def test_kept_bytes_are_the_document_source_over_the_corpus_and_the_mix(messages) -> None:
    shared = load_pipeline("default", optional_data=True)
    plain = load_pipeline("default", optional_data=True)
    assert share_serialization(stage_objects(shared))
    kept = total = 0
    for start in range(0, len(messages), 1_000):
        batch = messages[start : start + 1_000]
        events = shared(fresh_events(batch, start))
        for event in events:
            source = event["@metadata"].get(SOURCE_KEY)
            if source is not None:
                kept += 1
                assert source == encode(without_metadata(event))
        total += len(events)
        docs = to_docs(events, "t")
        expected = to_docs(plain(fresh_events(batch, start)), "t")
        assert [(d.index, d.id, d.source, d.family) for d in docs] == [
            (d.index, d.id, d.source, d.family) for d in expected
        ]
        assert all(SOURCE_KEY not in doc.origin for doc in docs)
    assert kept > total * 0.6


def test_the_bytes_reach_the_document_as_they_are() -> None:
    stage = redact()
    assert stage.share_sources()
    events = stage([checked_event(n) for n in range(3)])
    kept = [event["@metadata"][SOURCE_KEY] for event in events]
    docs = to_docs(events, "t")
    assert all(doc.source is source for doc, source in zip(docs, kept, strict=True))


def test_no_reuse_when_a_stage_after_redact_may_change_the_source(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("stages:\n  - {type: redact}\n  - {type: level}\n  - {type: route}\n")
    pipeline = load_pipeline(path)
    assert not share_serialization(stage_objects(pipeline))
    events = pipeline(fresh_events(["clean line", '{"level": "info", "msg": "ok"}'], 0))
    assert all(SOURCE_KEY not in event["@metadata"] for event in events)


@pytest.mark.parametrize(
    ("stages", "shared"),
    [
        ("  - {type: route}\n  - {type: redact}\n", True),  # nothing after redact
        ("  - {type: redact}\n  - {type: route}\n", True),
        ("  - {type: redact}\n  - {type: route, when: {field: x, exists: true}}\n", True),
        ("  - {type: redact}\n  - {type: redact}\n  - {type: route}\n", True),  # the last keeps
        ("  - {type: route}\n", False),  # no redact
        ("  - {type: redact, patterns: {emp: 'EMP-\\d+'}}\n  - {type: route}\n", False),  # no scan
        ("  - {type: redact}\n  - {type: drop, when: {field: x, exists: true}}\n", False),
    ],
)
def test_share_serialization_decides_from_the_stages(tmp_path: Path, stages, shared) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("stages:\n" + stages)
    assert share_serialization(stage_objects(load_pipeline(path))) is shared


def test_only_the_last_redact_stage_keeps_bytes() -> None:
    first, last = redact(), redact()
    assert share_serialization([first, last, RouteStage(RouteStage.Config(), BuildContext())])
    events = first([checked_event(0)])
    assert SOURCE_KEY not in events[0]["@metadata"]
    assert SOURCE_KEY in last(events)[0]["@metadata"]


def test_walked_events_never_keep_bytes() -> None:
    stage = redact()
    stage.share_sources()
    events = [
        checked_event(0),
        checked_event(1, password="hunter2"),
        checked_event(2, message="mail me at person7@example.com"),
        checked_event(3, note="4111 1111 1111 1111"),
        checked_event(4, message="ok", ip="10.0.0.1"),
    ]
    out = stage(events)
    assert [SOURCE_KEY in event["@metadata"] for event in out] == [True, False, False, False, True]
    for doc in to_docs(out, "t"):
        for secret in (b"hunter2", b"person7@example.com", b"4111 1111"):
            assert secret not in doc.source


def test_when_the_scan_fails_every_event_is_walked_and_none_keeps_bytes(monkeypatch) -> None:
    stage = redact()
    stage.share_sources()

    def fail(data: bytes) -> list[int]:  # after the events' bytes were kept
        raise MemoryError

    monkeypatch.setattr(stage._prefilter._batch, "matching", fail)
    events = stage([checked_event(0), checked_event(1, password="hunter2")])
    assert all(SOURCE_KEY not in event["@metadata"] for event in events)
    assert "hunter2" not in repr(events)


def test_an_event_marked_after_the_scan_is_dumped_again() -> None:
    class Raises:
        changes_only_metadata = True

        def __call__(self, events: list[dict]) -> list[dict]:
            for event in events:
                if event["message"] == "boom":
                    raise RuntimeError("route broke")
            return events

    stage = redact()
    pipeline = Pipeline("p", [BuiltStage("redact", stage), BuiltStage("raises", Raises())])
    assert share_serialization(stage_objects(pipeline))
    events = pipeline([checked_event(0), checked_event(1, message="boom")])
    docs = to_docs(events, "t")
    assert b"_stage_exception" not in docs[0].source
    assert orjson.loads(docs[1].source)["tags"] == ["_stage_exception"]


@pytest.mark.parametrize(
    "change",
    [
        lambda event: event.update(_id="mongo"),  # moved under _reserved
        lambda event: event["@metadata"].pop("time_checked"),  # to_docs checks the time itself
        lambda event: event["@metadata"].update({SOURCE_KEY: "not bytes"}),
    ],
)
def test_to_docs_dumps_when_it_changes_the_event_or_the_bytes_are_not_its_own(change) -> None:
    event = checked_event(0)
    stage = redact()
    stage.share_sources()
    stage([event])
    change(event)
    expected = copy.deepcopy(event)
    expected["@metadata"].pop(SOURCE_KEY)
    assert to_docs([event], "t")[0].source == to_docs([expected], "t")[0].source


def test_an_event_orjson_refuses_is_walked_and_keeps_nothing() -> None:
    stage = redact()
    stage.share_sources()
    events = stage([checked_event(0, big=2**70), checked_event(1, **{"\ud800": "x"})])
    assert all(SOURCE_KEY not in event["@metadata"] for event in events)


def test_events_after_a_refused_one_are_matched_to_their_own_scan() -> None:
    stage = redact()
    stage.share_sources()
    events = [
        checked_event(0),
        checked_event(1, big=2**70),
        checked_event(2),
        checked_event(3, password="hunter2"),
        checked_event(4),
    ]
    out = stage(events)
    assert [SOURCE_KEY in event["@metadata"] for event in out] == [True, False, True, False, True]
    assert "hunter2" not in repr(out)
    for event in (out[0], out[2], out[4]):
        fresh = {k: v for k, v in event.items() if k != "@metadata"}
        assert event["@metadata"][SOURCE_KEY] == orjson.dumps(fresh, default=str)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats() | st.text(),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=10,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.dictionaries(st.text(max_size=8), _JSON, max_size=4), max_size=6))
def test_kept_bytes_equal_a_fresh_dump_of_any_event(payloads: list[dict]) -> None:
    stage = redact()
    stage.share_sources()
    events = [{**payload, "@metadata": {"id": str(n)}} for n, payload in enumerate(payloads)]
    for event in stage(events):
        source = event["@metadata"].get(SOURCE_KEY)
        if source is not None:
            assert source == encode(without_metadata(event))
