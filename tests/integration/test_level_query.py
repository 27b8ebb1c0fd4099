"""The old Kibana query `level: ERROR` finds the error events of every source, on both engines.

Lines of text, syslog, PostgreSQL and JSON sources go through the default pipeline in-process and
are indexed into an index mapped like the installed templates (ilm/templates/ecs.json and
legacy.json); the query is the `query_string` a Kibana Lucene/KQL search sends for it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from logpipe.documents import to_docs
from logpipe.pipeline import load_pipeline

TEMPLATES = Path(__file__).resolve().parents[2] / "ilm" / "templates"
KAFKA_MS = 1710590400000  # 2024-03-16T12:00:00Z
ERRORS = [
    '{"time":"2024-03-16T11:33:40Z","level":"ERROR","message":"download failed"}',
    '{"time":"2024-03-16T11:33:40Z","level":"error","msg":"lowercase from a Go app"}',
    '{"level":50,"time":1710588820489,"pid":7,"msg":"pino error"}',
    "2024-03-16 11:33:40,489 ERROR root: unhandled exception",
    '2024-03-16 11:33:40.489 CET [5407] postgres@users ERROR:  relation "x" does not exist',
    "<11>Mar 16 11:33:40 web1 app[12]: disk write failed",
    "2024/03/16 11:33:40 [error] 54053#0: *1 open() failed (2: No such file or directory)",
    "2024-03-16 11:33:40.489 ERROR 1 --- [nio-8080-exec-1] o.s.w.s.Dispatcher : boom",
]
OTHERS = [
    '{"time":"2024-03-16T11:33:40Z","level":"INFO","message":"all good"}',
    "2024-03-16 11:33:40.489 CET [5407] LOG:  checkpoint starting: time",
    "<14>Mar 16 11:33:40 web1 app[12]: started",
]


def mapping() -> dict:
    """The ECS and legacy component templates' mappings, as one index mapping."""
    ecs = json.loads((TEMPLATES / "ecs.json").read_text())["mappings"]
    legacy = json.loads((TEMPLATES / "legacy.json").read_text())["mappings"]
    return {**ecs, "properties": {**ecs["properties"], **legacy["properties"]}}


def sources(lines: list[str]) -> list[dict]:
    pipeline = load_pipeline("default")
    events = []
    for n, line in enumerate(lines):
        kafka = {"topic": "t", "partition": 0, "offset": n, "key": None, "timestamp": KAFKA_MS}
        events += pipeline([{"message": line, "@metadata": {"id": f"t-0-{n}", "kafka": kafka}}])
    return [json.loads(doc.source) for doc in to_docs(events, "q") if doc.family == "logs"]


@pytest.mark.parametrize("kind", ["opensearch", "elasticsearch"])
def test_level_error_finds_every_sources_errors(request, kind, prefix):
    engine = request.getfixturevalue(kind)
    index = f"{prefix}-levels"
    answer = requests.put(f"{engine.url}/{index}", json={"mappings": mapping()}, timeout=30)
    answer.raise_for_status()
    try:
        docs = sources(ERRORS + OTHERS)
        assert len(docs) == len(ERRORS) + len(OTHERS)
        body = "".join(
            json.dumps({"index": {"_index": index}}) + "\n" + json.dumps(doc) + "\n" for doc in docs
        )
        bulk = requests.post(
            f"{engine.url}/_bulk?refresh=true",
            data=body,
            headers={"content-type": "application/x-ndjson"},
            timeout=60,
        )
        bulk.raise_for_status()
        assert not bulk.json()["errors"], bulk.text[:2000]
        for query in ("level: ERROR", "level: error", "log.level: ERROR"):
            hits = engine.search(index, {"query_string": {"query": query}})
            assert len(hits) == len(ERRORS), (query, [h["_source"].get("message") for h in hits])
    finally:
        engine.delete(index)
