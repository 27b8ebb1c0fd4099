"""Kibana saved objects: the NDJSON in ilm/kibana/ and its import through a recording fake."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from logpipe.lifecycle.definition import LIFECYCLE_DIR
from logpipe.lifecycle.kibana import Kibana, auth_headers, load_saved_objects, sync

FAMILIES = ("logs", "errors", "security", "performance")


def test_ndjson_file_is_valid() -> None:
    lines = (LIFECYCLE_DIR / "kibana" / "data-views.ndjson").read_text().splitlines()
    objects = [json.loads(line) for line in lines]
    assert len(objects) == len(FAMILIES)
    for family, item in zip(FAMILIES, objects, strict=True):
        assert item["type"] == "index-pattern"
        assert item["id"] == f"logpipe-rolerabbit-{family}"
        assert item["attributes"]["title"] == f"rolerabbit-{family}-*"
        assert item["attributes"]["timeFieldName"] == "@timestamp"
        assert item["references"] == []


def test_objects_follow_the_index_prefix() -> None:
    objects = load_saved_objects(LIFECYCLE_DIR, "acme")
    assert [o["id"] for o in objects] == [f"logpipe-acme-{f}" for f in FAMILIES]
    assert [o["attributes"]["title"] for o in objects] == [f"acme-{f}-*" for f in FAMILIES]
    assert objects[0]["attributes"]["name"] == "acme logs"


class FakeKibana(BaseHTTPRequestHandler):
    """Kibana's saved-objects GET and `_import`, recording every request."""

    objects: dict[tuple[str, str], dict]
    requests: list[dict]

    def do_GET(self) -> None:
        self.server.requests.append({"method": "GET", "path": self.path})  # type: ignore[attr-defined]
        parts = urlsplit(self.path).path.split("/")
        found = self.server.objects.get((parts[-2], parts[-1]))  # type: ignore[attr-defined]
        if found is None:
            self._answer(404, {"statusCode": 404, "error": "Not Found"})
        else:
            self._answer(200, {**found, "version": "WzEsMV0=", "namespaces": ["default"]})

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        headers = {key.lower(): value for key, value in self.headers.items()}
        record = {"method": "POST", "path": self.path, "headers": headers, "body": body}
        self.server.requests.append(record)  # type: ignore[attr-defined]
        if self.headers.get("kbn-xsrf") is None:
            self._answer(400, {"message": "Request must contain a kbn-xsrf header."})
            return
        raw = f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode() + body
        message = BytesParser(policy=HTTP).parsebytes(raw)
        (part,) = list(message.iter_parts())
        record["filename"] = part.get_filename()
        record["field"] = part.get_param("name", header="content-disposition")
        lines = part.get_payload(decode=True).decode().splitlines()
        for line in lines:
            item = json.loads(line)
            self.server.objects[(item["type"], item["id"])] = item  # type: ignore[attr-defined]
        self._answer(200, {"success": True, "successCount": len(lines)})

    def _answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def kibana() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeKibana)
    server.objects = {}  # type: ignore[attr-defined]
    server.requests = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def url(server: ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


def posts(server: ThreadingHTTPServer) -> list[dict]:
    return [r for r in server.requests if r["method"] == "POST"]  # type: ignore[attr-defined]


def test_import_then_nothing_to_do(kibana: ThreadingHTTPServer) -> None:
    objects = load_saved_objects(LIFECYCLE_DIR, "rolerabbit")
    client = Kibana(url(kibana), auth_headers("elastic", "secret", None))
    lines: list[str] = []

    assert sync(client, objects, dry_run=True, out=lines.append) == 4
    assert lines[0] == "would create data view rolerabbit-logs-* (logpipe-rolerabbit-logs)"
    assert posts(kibana) == []

    lines.clear()
    assert sync(client, objects, dry_run=False, out=lines.append) == 4
    assert (
        lines[-1] == "created data view rolerabbit-performance-* (logpipe-rolerabbit-performance)"
    )
    (request,) = posts(kibana)
    query = parse_qs(urlsplit(request["path"]).query)
    assert urlsplit(request["path"]).path == "/api/saved_objects/_import"
    assert query == {"overwrite": ["true"]}
    assert request["headers"]["kbn-xsrf"]
    assert request["headers"]["authorization"] == "Basic ZWxhc3RpYzpzZWNyZXQ="
    assert request["headers"]["content-type"].startswith("multipart/form-data; boundary=")
    assert request["field"] == "file"
    assert request["filename"].endswith(".ndjson")
    stored = kibana.objects  # type: ignore[attr-defined]
    assert stored[("index-pattern", "logpipe-rolerabbit-errors")]["attributes"] == {
        "title": "rolerabbit-errors-*",
        "name": "rolerabbit errors",
        "timeFieldName": "@timestamp",
    }

    lines.clear()
    assert sync(client, objects, dry_run=False, out=lines.append) == 0
    assert all(line.startswith("unchanged data view") for line in lines)
    assert len(posts(kibana)) == 1


def test_changed_object_is_updated_alone(kibana: ThreadingHTTPServer) -> None:
    objects = load_saved_objects(LIFECYCLE_DIR, "rolerabbit")
    client = Kibana(url(kibana))
    sync(client, objects, dry_run=False, out=lambda line: None)
    key = ("index-pattern", "logpipe-rolerabbit-security")
    kibana.objects[key]["attributes"]["timeFieldName"] = "timestamp"  # type: ignore[attr-defined]
    lines: list[str] = []
    assert sync(client, objects, dry_run=False, out=lines.append) == 1
    assert "updated data view rolerabbit-security-* (logpipe-rolerabbit-security)" in lines
    imported = posts(kibana)[-1]["body"].decode()
    assert imported.count('"type":"index-pattern"') == 1
    assert kibana.objects[key]["attributes"]["timeFieldName"] == "@timestamp"  # type: ignore[attr-defined]


def test_setup_cli_rejects_a_bad_kibana_url(tmp_path: Path) -> None:
    from logpipe.cli import main

    assert main(["setup", "--kibana", "kibana:5601", "--dry-run"]) == 1


def test_credentials_in_the_url_become_basic_auth(kibana: ThreadingHTTPServer) -> None:
    port = kibana.server_address[1]
    client = Kibana(f"http://elastic:s3cret@127.0.0.1:{port}/")
    assert client.url == f"http://127.0.0.1:{port}"
    sync(client, load_saved_objects(LIFECYCLE_DIR, "rolerabbit"), False, lambda line: None)
    (request,) = posts(kibana)
    assert request["headers"]["authorization"] == "Basic ZWxhc3RpYzpzM2NyZXQ="


def test_an_unreachable_kibana_url_is_reported_without_its_password() -> None:
    from logpipe.errors import LogpipeError

    client = Kibana("http://elastic:s3cret@127.0.0.1:9/", timeout=2)
    with pytest.raises(LogpipeError) as info:
        client.get("index-pattern", "x")
    assert "s3cret" not in str(info.value) and "elastic" not in str(info.value)
    assert "127.0.0.1:9" in str(info.value)
