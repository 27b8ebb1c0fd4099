"""logstash-patterns-core's own spec suite, both ECS modes, through logpipe's grok stage.

With Logstash's pattern files (patterns_dir) every vector must pass; with the built-in library,
the vectors of the families it carries. The vectors and how they were translated:
tests/data/logstash-patterns-core/spec_vectors.json.
"""

from __future__ import annotations

import pytest

from logpipe.grok.library import PatternLibrary, load_patterns_dir
from tests.unit.grok_spec_vectors import BUILTIN_SPECS, DATA, MODES, cases, failures, run

ALL = list(cases())
BUILTIN = list(cases(BUILTIN_SPECS))
# Where the built-in library knowingly differs from logstash-patterns-core 4.3.1: every failure
# of that vector must name this text.
DEVIATIONS = {
    # its legacy pattern shifts the fields of the longer v1.0 format (the spec's own TODO says so)
    ("aws_spec.rb", "legacy", "%{CLOUDFRONT_ACCESS_LOG}"): "x_forwarded_for",
    # its ECS pattern writes the category to [bing][log][category], a typo; ours to [bind][log]
    ("bind_spec.rb", "ecs-v1", "%{BIND9}"): "{'bind': {'log'",
}


def _id(case: tuple[str, int, dict]) -> str:
    mode, index, vector = case
    return f"{mode}-{vector['spec'].removesuffix('_spec.rb')}-{index}"


@pytest.mark.parametrize("case", ALL, ids=[_id(c) for c in ALL])
def test_spec_vector_with_logstash_patterns(case):
    mode, _, vector = case
    assert failures(mode, vector, run(mode, vector)) == []


@pytest.mark.parametrize("case", BUILTIN, ids=[_id(c) for c in BUILTIN])
def test_spec_vector_with_builtin_library(case):
    mode, _, vector = case
    found = failures(mode, vector, run(mode, vector, builtin=True))
    known = DEVIATIONS.get((vector["spec"], mode, vector["expression"]))
    assert [f for f in found if known is None or known not in f] == []


@pytest.mark.parametrize("mode", MODES)
def test_every_logstash_pattern_compiles(mode):
    folder = DATA / "patterns" / mode
    library = PatternLibrary(MODES[mode], [folder])
    for name in load_patterns_dir(folder):
        library.compile("%{" + name + "}")


def test_the_suite_is_all_there():
    assert len(ALL) > 550
    assert {v["spec"] for _, _, v in ALL} >= {f"{n}_spec.rb" for n in ("core", "syslog", "nagios")}
