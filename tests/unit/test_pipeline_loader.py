import pytest

from logpipe.errors import ConfigError
from logpipe.pipeline import load_pipeline
from logpipe.pipeline.runner import BuiltStage, Pipeline


def write(tmp_path, text):
    path = tmp_path / "p.yaml"
    path.write_text(text)
    return path


def test_drop_with_when_counts_and_keeps_order(tmp_path):
    path = write(
        tmp_path,
        "stages:\n  - type: drop\n    id: no-debug\n    when: {field: level, equals: debug}\n",
    )
    pipeline = load_pipeline(path)
    events = [{"level": "info", "n": 1}, {"level": "debug", "n": 2}, {"level": "error", "n": 3}]
    assert [e["n"] for e in pipeline(events)] == [1, 3]
    assert pipeline.dropped == 1


def test_when_keeps_new_events_a_stage_creates():
    def joiner(events):
        return [{"joined": len(events)}]

    pipeline = Pipeline("t", [BuiltStage("j", joiner, lambda e: e.get("part", False))])
    out = pipeline([{"part": True}, {"other": 1}, {"part": True}])
    assert out == [{"other": 1}, {"joined": 2}]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("stages: [ {type: nosuch} ]", r"stage 1 \[nosuch\]: unknown stage type 'nosuch'"),
        ("stages: [ {id: x} ]", r"stage 1 \(x\): needs 'type'"),
        ("stages: [ {type: drop, bogus: 1} ]", r"stage 1 \[drop\]: field 'bogus': Extra inputs"),
        ("stages: [ {type: drop, when: {field: a}} ]", r"stage 1 \[drop\]: when: give exactly"),
        ("stages: [\n", "not valid YAML"),
        ("- just a list", "expected a mapping"),
        ("stage: []", "field 'stage': Extra inputs"),
        (
            "stages: [ {type: timestamp, window_before: a month} ]",
            r"stage 1 \[timestamp\]: field 'window_before': Value error, expected a duration",
        ),
        (
            "stages: [ {type: drop, when: {field: a, matches: '('}} ]",
            r"stage 1 \[drop\]: when.matches: invalid regex",
        ),
        (
            "stages: [ {type: multiline, pattern: '(?<'} ]",
            r"stage 1 \[multiline\]: field 'pattern': Value error, invalid regex",
        ),
    ],
)
def test_errors_name_file_stage_and_field(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=message) as info:
        load_pipeline(path)
    assert str(path) in str(info.value)


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        load_pipeline(tmp_path / "absent.yaml")


def test_bundled_name_resolves():
    assert load_pipeline("passthrough").name == "passthrough"


def test_environment_references(tmp_path, monkeypatch):
    from logpipe.pipeline.loader import substitute_env

    monkeypatch.setenv("LP_TEST_DB", "/data/city.mmdb")
    raw = {"a": "${LP_TEST_DB}", "b": ["${LP_MISSING:fallback}", "x${LP_MISSING:}y"], "c": 3}
    assert substitute_env(raw, tmp_path) == {
        "a": "/data/city.mmdb",
        "b": ["fallback", "xy"],
        "c": 3,
    }
    with pytest.raises(ConfigError, match=r"\$\{LP_MISSING\} is not set"):
        substitute_env("${LP_MISSING}", tmp_path)
