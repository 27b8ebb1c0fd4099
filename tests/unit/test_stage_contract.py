"""The stage contract, checked over every registered stage kind.

Built once from validated options (unknown options refused); called on a batch of plain dicts;
never raises on bad input; keeps the batch's order and length — except `drop` (removes events on
purpose) and holding stages (`HoldingStage`: `multiline`, and `envelope` for partial lines, keep
lines back until their group is complete and give everything back at the end of input).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from logpipe.pipeline.runner import BuiltStage, Pipeline
from logpipe.stages import StageRegistry
from logpipe.stages.base import BuildContext, EventStage, HoldingStage

REGISTRY = StageRegistry()
# The options each kind needs to be built; {} where every option has a default.
MINIMAL: dict[str, dict] = {
    "grok": {"match": {"message": "%{IP:client} %{WORD:verb}"}},
    "geoip": {"city_database": "/nonexistent/city.mmdb"},  # built with optional data below
    "drop": {},
}
CHANGES_LENGTH = {"drop", "multiline"}
HOLDING = {"envelope", "multiline"}
# Kinds that work event by event through `EventStage` (its loop and failure policy), and the
# tags a raising `apply` leaves by default; redact fails closed instead.
EVENT_STAGES = {
    "geoip": ("_geoip_lookup_failure",),
    "redact": ("_redactfailure",),
    "security": ("_security_failure",),
    "stacktrace": ("_stacktrace_failure",),
}
# Per holding kind: lines that leave something held, the lowest offset held, what comes out.
HELD_LINES = {
    "multiline": (
        ["first", "\tat a.b(C.java:1)", "second", "\tat c.d(E.java:2)"],
        2,
        ["first\n\tat a.b(C.java:1)", "second\n\tat c.d(E.java:2)"],
    ),
    "envelope": (
        ["2026-11-26T10:00:00.1Z stdout F first", "2026-11-26T10:00:00.2Z stderr P a piece"],
        1,
        ["first", "a piece"],
    ),
}


def build(kind: str, **extra):
    cls = REGISTRY.get(kind)
    config = cls.Config(**{**MINIMAL.get(kind, {}), **extra})
    return cls(config, BuildContext(optional_data=True))


def meta(offset: int) -> dict:
    kafka = {
        "topic": "t",
        "partition": 0,
        "offset": offset,
        "key": None,
        "timestamp": 1795687200000,
    }
    return {"id": f"t-0-{offset}", "kafka": kafka}


GARBAGE: list = [
    {},
    {"message": None},
    {"message": 12345},
    {"message": ["a", {"b": 1}]},
    {"message": {"nested": {"deep": [1, 2, 3]}}},
    {"message": "\x00\ud800 broken \udfff surrogate"},
    {"message": "x" * 70_000},
    {"message": '{"level": 50, "msg": "json", "err": {"stack": 7}}'},
    {"message": "{not json"},
    {"@timestamp": 3.5, "message": "t"},
    {"@timestamp": "abcd-ef-ghZ", "log": "not a dict", "source": 5, "http": [1]},
    {"tags": "a string, not a list", "message": "m"},
    {"tags": [None, 5], "event": 1, "error": "scalar", "user_agent": 3, "url": None},
    {"source": {"ip": ["1.2.3.4", None]}, "client_ip": {"x": 1}},
    {"message": "2026-11-26 10:00:00 ERROR x\n\tat a.b(C.java:1)\n" * 100},
]


@pytest.mark.parametrize("kind", REGISTRY.kinds())
def test_every_tag_option_takes_one_tag_or_a_list_and_reads_as_a_tuple(kind):
    fields = REGISTRY.get(kind).Config.model_fields
    for name in (n for n in fields if n.startswith("tag_on_")):
        assert build(kind, **{name: "_mine"}).config.__dict__[name] == ("_mine",), name
        assert build(kind, **{name: ["_a", "_b"]}).config.__dict__[name] == ("_a", "_b"), name
        with pytest.raises(ValidationError):
            build(kind, **{name: 5})


@pytest.mark.parametrize(
    ("kind", "old", "new", "value"),
    [
        ("geoip", "source_fields", "fields", ("remote_addr",)),
        ("stacktrace", "source", "fields", ("message",)),
        ("security", "engine", "matcher", "re2"),
    ],
)
def test_a_renamed_option_still_works_under_its_old_name_with_a_warning(
    kind, old, new, value, caplog
):
    assert build(kind, **{old: value}).config.__dict__[new] == value
    assert f"`{old}` is now called `{new}`" in caplog.text
    with pytest.raises(ValidationError, match=f"give `{new}` only"):
        build(kind, **{old: value, new: value})


@pytest.mark.parametrize("kind", REGISTRY.kinds())
def test_unknown_options_are_refused(kind):
    with pytest.raises(ValidationError, match="no_such_option"):
        build(kind, no_such_option=True)


@pytest.mark.parametrize("kind", REGISTRY.kinds())
def test_garbage_events_never_raise(kind):
    stage = build(kind)
    events = [{**event, "@metadata": meta(n)} for n, event in enumerate(GARBAGE)]
    out = stage(events)
    assert isinstance(out, list) and all(isinstance(event, dict) for event in out)


@pytest.mark.parametrize("kind", sorted(set(REGISTRY.kinds()) - CHANGES_LENGTH))
def test_order_and_length_are_kept(kind):
    stage = build(kind)
    events = [{"message": f"line {n} 10.1.2.{n} GET", "@metadata": meta(n)} for n in range(50)]
    ids = [id(event) for event in events]
    out = stage(events)
    assert [id(event) for event in out] == ids


@pytest.mark.parametrize("kind", REGISTRY.kinds())
def test_holding_stages_declare_themselves(kind):
    assert isinstance(build(kind), HoldingStage) == (kind in HOLDING)


@pytest.mark.parametrize("kind", REGISTRY.kinds())
def test_event_stages_declare_themselves_under_their_registered_name(kind):
    cls = REGISTRY.get(kind)
    assert issubclass(cls, EventStage) == (kind in EVENT_STAGES)
    if kind in EVENT_STAGES:
        assert cls.kind == kind


def _raising(stage: EventStage, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every event a candidate and every `apply` raise."""

    def boom(event: dict) -> None:
        event["half"] = "written"
        raise RuntimeError("boom")

    monkeypatch.setattr(stage, "candidates", lambda events: events)
    monkeypatch.setattr(stage, "apply", boom)


@pytest.mark.parametrize("kind", sorted(EVENT_STAGES))
def test_a_raising_apply_tags_the_event_and_the_batch_goes_on(kind, monkeypatch):
    stage = build(kind)
    _raising(stage, monkeypatch)
    events = [{"message": f"secret {n}", "@metadata": meta(n)} for n in range(3)]
    ids = [id(event) for event in events]
    out = stage(events)
    assert [id(event) for event in out] == ids
    for event in out:
        assert event["tags"] == list(EVENT_STAGES[kind])
        assert ("half" in event) == (kind != "redact")  # redact keeps nothing it may have missed
        assert ("secret" in event["message"]) == (kind != "redact")
        assert event["@metadata"]["id"].startswith("t-0-")


def test_a_configured_failure_tag_replaces_the_default(monkeypatch):
    stage = build("geoip", tag_on_failure="no_geo")
    _raising(stage, monkeypatch)
    event = {"source": {"ip": "8.8.8.8"}}
    stage([event])
    assert event["tags"] == ["no_geo"]


@pytest.mark.parametrize("kind", sorted(HOLDING))
def test_holding_stages_give_everything_back_at_the_end(kind):
    pipeline = Pipeline("p", [BuiltStage(kind, build(kind))])
    lines, lowest_held, messages = HELD_LINES[kind]
    out = pipeline([{"message": line, "@metadata": meta(n)} for n, line in enumerate(lines)])
    assert pipeline.held_offsets() == {("t", 0): lowest_held}
    out += pipeline.drain()
    assert [event["message"] for event in out] == messages
    assert (pipeline.held(), pipeline.held_offsets(), pipeline.dropped) == (0, {}, 0)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(["message", "@timestamp", "log", "source", "tags", "level", "msg"]),
            st.recursive(
                st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=200),
                lambda inner: (
                    st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=8), inner, max_size=3)
                ),
                max_leaves=8,
            ),
            max_size=5,
        ),
        min_size=1,
        max_size=8,
    )
)
def test_random_events_never_raise_in_any_stage(raw_events):
    for kind in REGISTRY.kinds():
        stage = STAGES[kind]
        events = [{**event, "@metadata": meta(n)} for n, event in enumerate(raw_events)]
        stage(events)


STAGES = {kind: build(kind) for kind in REGISTRY.kinds()}
