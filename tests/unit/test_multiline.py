import time

from logpipe.pipeline import load_pipeline
from logpipe.stages.base import BuildContext
from logpipe.stages.multiline import MultilineConfig, MultilineStage

TRACE = [
    "2026-11-26 10:00:00 ERROR request failed",
    "java.lang.IllegalStateException: locked",
    "\tat com.example.Service.run(Service.java:10)",
    "Caused by: java.io.IOException: broken pipe",
    "\t... 12 more",
]


def event(text, offset, key="k", partition=0):
    kafka = {"topic": "t", "partition": partition, "offset": offset, "key": key}
    return {"message": text, "@metadata": {"id": f"t-{partition}-{offset}", "kafka": kafka}}


def stage(**options):
    return MultilineStage(MultilineConfig(**options), BuildContext())


def test_trace_lines_join_into_the_first_lines_event():
    join = stage()
    first = join([event(TRACE[0], 0), event(TRACE[1], 1)])
    assert first == []  # the log line is held until its group can end
    out = join([event(line, n) for n, line in enumerate(TRACE[2:], start=2)])
    assert out == []
    out = join([event("next line", 5)])
    (joined,) = out  # the log line and its whole trace
    assert joined["message"] == "\n".join(TRACE)
    assert joined["@metadata"]["id"] == "t-0-0"
    assert joined["@metadata"]["multiline"]["offsets"] == [0, 1, 2, 3, 4]
    assert "multiline" in joined["tags"]
    assert join.held_offsets() == {("t", 0): 5}


def test_groups_are_per_key_and_partition():
    join = stage()
    out = join(
        [
            event("start a", 0, key="a"),
            event("start b", 1, key="b"),
            event("  more a", 2, key="a"),
            event("  more b", 3, key="b"),
            event("  other partition", 0, key="a", partition=1),
        ]
    )
    assert out == [event("  other partition", 0, key="a", partition=1)] or out == []
    assert join.held_offsets()[("t", 0)] == 0
    flushed = join.flush_expired(now=10**9)
    messages = sorted(e["message"] for e in flushed)
    assert "start a\n  more a" in messages and "start b\n  more b" in messages


def test_limits_close_a_group():
    join = stage(max_lines=3)
    out = join([event("start", 0)] + [event(f"  frame {n}", n) for n in range(1, 5)])
    assert out[0]["message"] == "start\n  frame 1\n  frame 2"
    assert out[0]["@metadata"]["multiline"]["lines"] == 3


def test_release_forgets_lost_partitions():
    join = stage()
    join([event("start", 7)])
    join.release({("t", 0)})
    assert join.held_offsets() == {}
    assert join.flush_expired(now=10**9) == []


def test_pipeline_flushes_through_later_stages(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(
        "stages:\n  - type: multiline\n    max_wait_seconds: 0.01\n"
        "  - type: stacktrace\n    fields: [message]\n"
    )
    pipeline = load_pipeline(path)
    assert pipeline([event(line, n) for n, line in enumerate(TRACE)]) == []
    assert pipeline.held_offsets() == {("t", 0): 0}
    (joined,) = pipeline.tick(time.monotonic() + 1)
    assert joined["error"]["type"] == "java.lang.IllegalStateException"
    assert pipeline.held_offsets() == {}


def file_event(text, path, line):
    return {
        "message": text,
        "@metadata": {"id": f"{path}-{line}", "file": {"path": path, "line": line}},
    }


def test_file_lines_group_per_file_not_across_files():
    join = stage()
    out = join(
        [
            file_event("a.log first", "a.log", 1),
            file_event("b.log first", "b.log", 1),
            file_event("\tat a.frame", "a.log", 2),
            file_event("\tat b.frame", "b.log", 2),
        ]
    )
    assert out == []
    assert join.held_offsets() == {("file:a.log", None): 1, ("file:b.log", None): 1}
    joined = sorted(e["message"] for e in join.flush_expired(now=float("inf")))
    assert joined == ["a.log first\n\tat a.frame", "b.log first\n\tat b.frame"]


def test_a_hostile_line_against_a_user_pattern_is_bounded():
    import time

    join = stage(pattern=r"^(\s|x+x+)+y")
    started = time.perf_counter()
    join([event("start", 0), event(" " + "x" * 65536, 1)])
    assert time.perf_counter() - started < 0.05


def test_a_user_pattern_that_runs_out_of_time_tags_the_line():
    join = stage(pattern=r"^(a|aa)+(?=b)\1$")  # RE2 refuses it: runs under the time limit
    hostile = event("a" * 40 + "c", 1)
    out = join([event("start", 0), hostile])
    assert [e["message"] for e in out] == ["start"]  # the hostile line starts a group
    assert hostile["tags"] == ["_multiline_timeout"]
