#!/usr/bin/env python3
"""Smoke test for the ES 8 API endpoint started by scripts/elasticsearch.sh.

Checks the APIs logpipe's tests rely on, with the official `elasticsearch`
client (8.x or 9.x), and reports the known noida-db gaps (see NOTES.md).

    scripts/elasticsearch.sh start
    python3 scripts/elasticsearch/smoke_test.py          # uses ES_PORT (default 9201)
    python3 scripts/elasticsearch/smoke_test.py --url http://127.0.0.1:9201

Exit status 0 if every required check passed, 1 otherwise. It only touches
indices/templates/aliases whose names start with a random "smoke-" prefix
and deletes them at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import uuid

try:
    import elasticsearch
    from elasticsearch import Elasticsearch
except ImportError:  # pragma: no cover
    sys.exit("the 'elasticsearch' client is not installed: pip install 'elasticsearch>=8.15,<9'")


def ndjson(lines: list[dict]) -> bytes:
    return ("\n".join(json.dumps(line) for line in lines) + "\n").encode()


class Checks:
    def __init__(self) -> None:
        self.failed: list[str] = []

    def require(self, name: str, cond: bool, detail: object = "") -> None:
        print(f"{'ok  ' if cond else 'FAIL'} {name}" + ("" if cond else f": {detail}"))
        if not cond:
            self.failed.append(name)

    def gap(self, name: str, still_there: bool, detail: object = "") -> None:
        print(
            f"{'gap ' if still_there else 'gap fixed?'} {name}" + (f": {detail}" if detail else "")
        )


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default=f"http://127.0.0.1:{os.environ.get('ES_PORT', '9201')}")
    args = ap.parse_args()

    es = Elasticsearch(args.url, request_timeout=30)
    c = Checks()
    p = f"smoke-{uuid.uuid4().hex[:8]}"
    ix, ct, it = f"{p}-raw", f"{p}-ct", f"{p}-it"
    print(f"client elasticsearch-py {elasticsearch.__versionstr__}, server {args.url}, prefix {p}")

    try:
        info = es.info()
        c.require(
            "info() answers as 8.x", info["version"]["number"].startswith("8."), info["version"]
        )

        # bulk: raw NDJSON bytes, create actions with explicit _id
        t0 = time.monotonic()
        r = es.bulk(
            body=ndjson(
                [
                    {"create": {"_index": ix, "_id": "a"}},
                    {"n": 1, "host": "h1", "@timestamp": "2024-01-01T00:00:00Z"},
                    {"create": {"_index": ix, "_id": "b"}},
                    {"n": 2, "host": "h2", "@timestamp": "2024-01-01T00:00:01Z"},
                    {"create": {"_index": ix, "_id": "c"}},
                    {"n": 3, "host": "h1", "@timestamp": "2024-01-01T00:00:02Z"},
                ]
            )
        )
        c.require(
            "bulk create x3",
            not r["errors"] and [i["create"]["status"] for i in r["items"]] == [201] * 3,
            r,
        )

        r = es.bulk(
            body=ndjson(
                [
                    {"create": {"_index": ix, "_id": "a"}},
                    {"n": 9},  # duplicate _id
                    {"create": {"_index": ix, "_id": "d"}},
                    {"n": {"x": 1}},  # object where a long is mapped
                    {"create": {"_index": ix, "_id": "e"}},
                    {"n": 4, "host": "h3"},
                ]
            )
        )
        st = [(i["create"]["status"], i["create"].get("error", {}).get("type")) for i in r["items"]]
        c.require(
            "bulk per-item 409 on duplicate _id",
            st[0] == (409, "version_conflict_engine_exception"),
            st,
        )
        c.require(
            "bulk per-item 400 on mapping conflict",
            st[1][0] == 400
            and st[1][1] in ("document_parsing_exception", "mapper_parsing_exception"),
            st,
        )
        c.require("bulk partial success", r["errors"] is True and st[2] == (201, None), st)

        # Like ES, new docs are searchable only after a refresh (explicit, refresh=..., or the
        # 1 s refresh_interval); informational, since the periodic refresh can race this.
        print(
            "note count right after bulk, before refresh:",
            es.count(index=ix)["count"],
            "(ES-like: 0)",
        )
        es.indices.refresh(index=ix)
        c.require("count after refresh", es.count(index=ix)["count"] == 4)
        c.require(
            "count by ids",
            es.count(index=ix, query={"ids": {"values": ["a", "b", "zz"]}})["count"] == 2,
        )
        c.require(
            "count by terms on _id",
            es.count(index=ix, query={"terms": {"_id": ["a", "zz"]}})["count"] == 1,
        )
        r = es.search(index=ix, size=2, sort=[{"n": "desc"}])
        c.require(
            "search size/sort", [h["_id"] for h in r["hits"]["hits"]] == ["e", "c"], r["hits"]
        )
        r = es.search(index=ix, size=0, aggs={"h": {"terms": {"field": "host.keyword"}}})
        c.require(
            "terms agg",
            {b["key"]: b["doc_count"] for b in r["aggregations"]["h"]["buckets"]}
            == {"h1": 2, "h2": 1, "h3": 1},
            r["aggregations"],
        )

        # composable templates
        es.cluster.put_component_template(
            name=ct,
            template={
                "settings": {"number_of_shards": 1, "number_of_replicas": 0},
                "mappings": {
                    "properties": {
                        "@timestamp": {"type": "date"},
                        "client": {"properties": {"ip": {"type": "ip"}}},
                    }
                },
            },
        )
        es.indices.put_index_template(
            name=it,
            index_patterns=[f"{p}-logs-*"],
            composed_of=[ct],
            priority=500,
            template={
                "mappings": {"properties": {"message": {"type": "text"}}},
                "aliases": {f"{p}-all": {}},
            },
        )
        es.bulk(
            body=ndjson(
                [
                    {"create": {"_index": f"{p}-logs-1", "_id": "1"}},
                    {
                        "@timestamp": "2024-01-01T00:00:00Z",
                        "message": "m",
                        "client": {"ip": "10.0.0.1"},
                    },
                ]
            ),
            refresh=True,
        )
        props = es.indices.get_mapping(index=f"{p}-logs-1")[f"{p}-logs-1"]["mappings"]["properties"]
        c.require(
            "index + component template applied to new index",
            props.get("message", {}).get("type") == "text"
            and props["client"]["properties"]["ip"]["type"] == "ip"
            and props["@timestamp"]["type"] == "date",
            props,
        )
        c.require("template alias", es.count(index=f"{p}-all")["count"] == 1)

        # write alias + rollover
        es.indices.create(index=f"{p}-roll-000001", aliases={f"{p}-roll": {"is_write_index": True}})
        es.bulk(
            body=ndjson([{"create": {"_index": f"{p}-roll", "_id": "r1"}}, {"n": 1}]), refresh=True
        )
        r = es.indices.rollover(alias=f"{p}-roll", conditions={"max_docs": 1})
        c.require("rollover", r["rolled_over"] and r["new_index"] == f"{p}-roll-000002", r)
        r = es.bulk(
            body=ndjson([{"create": {"_index": f"{p}-roll", "_id": "r2"}}, {"n": 2}]), refresh=True
        )
        c.require(
            "write alias follows rollover",
            r["items"][0]["create"]["_index"] == f"{p}-roll-000002",
            r,
        )
        c.require("alias spans both indices", es.count(index=f"{p}-roll")["count"] == 2)

        es.indices.delete(index=ix)
        c.require("indices.delete", not es.indices.exists(index=ix))
        print(f"     (checks took {time.monotonic() - t0:.2f}s)")

        # known gaps: reported, not failed
        try:
            es.ilm.get_lifecycle()
            c.gap("ILM API", False)
        except elasticsearch.ApiError as e:
            c.gap("ILM API missing", True, e.meta.status)
        es.bulk(
            body=ndjson([{"create": {"_index": f"{p}-gap", "_id": "x"}}, {"a": 1}]), refresh=True
        )
        r = es.search(index=f"{p}-gap", size=0, aggs={"i": {"terms": {"field": "_id"}}})
        c.gap(
            "terms agg on _id returns empty buckets (real ES 8: 400 fielddata disallowed)",
            r["aggregations"]["i"]["buckets"] == [],
        )
    finally:
        for name in (f"{p}-raw", f"{p}-logs-1", f"{p}-roll-000001", f"{p}-roll-000002", f"{p}-gap"):
            es.options(ignore_status=404).indices.delete(index=name)
        es.options(ignore_status=404).indices.delete_index_template(name=it)
        es.options(ignore_status=404).cluster.delete_component_template(name=ct)

    if c.failed:
        print(f"{len(c.failed)} required check(s) failed: {', '.join(c.failed)}")
        return 1
    print("all required checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
