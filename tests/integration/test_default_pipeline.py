"""The default pipeline end to end: real Kafka in, real OpenSearch out, secrets never stored."""

from __future__ import annotations

import time

import orjson
import pytest
import requests

from tests.integration.conftest import produce, read_topic, worker_settings
from tests.unit.test_geoip import LONDON, write_db

pytestmark = pytest.mark.integration
# The lines' Kafka timestamp: just after their own times, as a shipper would send them (the time
# window and the late-event rule judge event times against it, whatever day the test runs).
SENT = 1_795_168_810_000  # 2026-11-20T10:00:10Z

SECRETS = [
    "hunter2-Secret!",
    "4111 1111 1111 1111",
    "alice@example.com",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c3JfMSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ",
    "AKIAIOSFODNN7EXAMPLE",
    "ghp_0123456789abcdefghijABCDEFGHIJ012345",
]
JAVA_TRACE = (
    "java.lang.IllegalStateException: template 9 is locked\\n"
    "\\tat com.rolerabbit.templates.TemplateService.download(TemplateService.java:88)\\n"
    "Caused by: java.sql.SQLTimeoutException: lock wait timeout\\n"
    "\\tat org.postgresql.jdbc.PgStatement.execute(PgStatement.java:120)\\n\\t... 12 more"
)
LINES = [
    # nginx, from a London address, with a SQL injection attempt
    '81.2.69.160 - - [20/Nov/2026:10:00:00 +0000] "GET /api/search?q=1%27%20OR%201=1-- HTTP/1.1"'
    ' 200 512 "-" "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0"',
    # app JSON with an error and a Java trace, and a password in the message
    '{"timestamp":"2026-11-20T10:00:01.000Z","level":"ERROR","message":"download failed '
    'password=hunter2-Secret!","user_id":"usr_123","template_id":"tpl_9",'
    f'"event_type":"template_download","response_time":40,"path":"/api/templates/9",'
    f'"status":500,"client_ip":"81.2.69.161","stack_trace":"{JAVA_TRACE}"}}',
    # a slow request with a card number, an email and a bearer JWT
    '{"timestamp":"2026-11-20T10:00:02.000Z","level":"INFO","message":"paid with card '
    '4111 1111 1111 1111 by alice@example.com","response_time":2300,"path":"/api/pay",'
    '"status":200,"authorization":"Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c3JfMSJ9.'
    'c2lnbmF0dXJlLXNpZ25hdHVyZQ"}',
    # sshd failure
    "Nov 20 10:00:03 web-1 sshd[4139]: Failed password for invalid user admin from "
    "81.2.69.162 port 2222 ssh2",
    # a debug line: dropped on purpose
    '{"timestamp":"2026-11-20T10:00:04.000Z","level":"DEBUG","message":"cache warm"}',
    # cloud keys in plain text
    "2026-11-20 10:00:05.000 UTC [77] ERROR:  leaked AKIAIOSFODNN7EXAMPLE and "
    "ghp_0123456789abcdefghijABCDEFGHIJ012345",
    # refused by the index (status is mapped long below) while carrying a password
    '{"timestamp":"2026-11-20T10:00:06.000Z","level":"WARN","message":"odd status '
    'password=hunter2-Secret!","status":"not-a-number"}',
]


def test_default_pipeline_end_to_end(opensearch, topic, prefix, start_worker, tmp_path):
    city = write_db(tmp_path / "city.mmdb", "GeoLite2-City", {"81.2.69.0/24": LONDON})
    asn = write_db(
        tmp_path / "asn.mmdb",
        "GeoLite2-ASN",
        {
            "81.2.69.0/24": {
                "autonomous_system_number": 20712,
                "autonomous_system_organization": "Andrews & Arnold Ltd",
            }
        },
    )
    day = f"{prefix}-logs-2026.11.20"
    mapping = {"mappings": {"properties": {"status": {"type": "long"}}}}
    requests.put(f"{opensearch.url}/{day}", json=mapping, timeout=30).raise_for_status()
    produce(topic, [line.encode() for line in LINES], keys=[b"one"] * len(LINES), timestamp_ms=SENT)
    settings = worker_settings(opensearch, topic, prefix, pipeline="default")
    settings |= {"LOGPIPE_GEOIP_CITY": str(city), "LOGPIPE_GEOIP_ASN": str(asn)}
    worker = start_worker(settings)
    assert opensearch.wait_for_count(f"{prefix}-logs-*", 5) == 5, worker.log()
    dead = read_topic(settings["LOGPIPE_DEAD_LETTER_TOPIC"], 1)
    assert worker.terminate() == 0, worker.log()

    hits = opensearch.search(f"{prefix}-*", size=100)
    by_index: dict[str, list[dict]] = {}
    for hit in hits:
        family = hit["_index"].split("-")[1]
        by_index.setdefault(family, []).append(hit["_source"])
    assert {hit["_index"].rsplit("-", 1)[1] for hit in hits} == {"2026.11.20"}
    assert len(by_index["logs"]) == 5  # 7 lines: one dropped (debug), one dead-lettered

    nginx = next(doc for doc in by_index["logs"] if doc.get("http", {}).get("request"))
    assert nginx["source"]["geo"]["city_name"] == "London"
    assert nginx["source"]["geo"]["location"] == {"lat": 51.5142, "lon": -0.0931}
    assert nginx["source"]["as"]["number"] == 20712
    assert "security_alert" in nginx["tags"]
    assert nginx["@timestamp"] == "2026-11-20T10:00:00.000Z"

    errors = by_index["errors"]
    java = next(doc for doc in errors if doc.get("user_id") == "usr_123")
    assert java["error"]["type"] == "java.lang.IllegalStateException"
    assert java["log"]["level"] == "error"
    assert any("security_alert" in doc.get("tags", []) for doc in by_index["security"])
    assert [doc["path"] for doc in by_index["performance"]] == ["/api/pay"]

    assert len(dead) == 1, worker.log()
    stored = [orjson.dumps(hit["_source"]).decode() for hit in hits]
    stored.append(dead[0].value().decode())
    stored.append(worker.log())
    for secret in SECRETS:
        leaks = [text[:200] for text in stored if secret in text]
        assert not leaks, f"{secret!r} reached the index, dead letters or logs: {leaks}"
    assert "REDACTED" in dead[0].value().decode()


def test_geoip_database_replaced_while_the_worker_runs(
    opensearch, topic, prefix, start_worker, tmp_path
):
    from tests.unit.test_geoip import PARIS

    city = write_db(tmp_path / "city.mmdb", "GeoLite2-City", {"81.2.69.0/24": LONDON})
    settings = worker_settings(opensearch, topic, prefix, pipeline="default")
    settings |= {"LOGPIPE_GEOIP_CITY": str(city), "LOGPIPE_GEOIP_ASN": ""}
    worker = start_worker(settings)

    def access_line(n: int) -> bytes:
        return (
            f"81.2.69.160 - - [20/Nov/2026:10:{n // 60:02d}:{n % 60:02d} +0000] "
            f'"GET /r/{n} HTTP/1.1" 200 5 "-" "curl/8.4.0"'
        ).encode()

    produce(topic, [access_line(n) for n in range(50)], timestamp_ms=SENT)
    assert opensearch.wait_for_count(f"{prefix}-logs-*", 50) == 50, worker.log()
    write_db(city, "GeoLite2-City", {"81.2.69.0/24": PARIS})  # atomic rename over the old file
    time.sleep(6)  # the stage checks the file at most every 5 s
    produce(topic, [access_line(n) for n in range(50, 100)], timestamp_ms=SENT)
    assert opensearch.wait_for_count(f"{prefix}-logs-*", 100) == 100, worker.log()
    assert worker.terminate() == 0, worker.log()
    cities = {}
    for hit in opensearch.search(f"{prefix}-logs-*", size=200):
        n = int(hit["_source"]["url"]["original"].rsplit("/", 1)[1])
        cities[n] = hit["_source"]["source"]["geo"]["city_name"]
    assert len(cities) == 100
    assert {cities[n] for n in range(50)} == {"London"}
    assert {cities[n] for n in range(50, 100)} == {"Paris"}
