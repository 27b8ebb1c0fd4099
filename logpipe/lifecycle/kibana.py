"""Kibana saved objects (data views per family) from `ilm/kibana/*.ndjson`, imported by API."""

from __future__ import annotations

import base64
import json
import re
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from logpipe.errors import ConfigError, LogpipeError
from logpipe.urlauth import split_userinfo

FILE_PREFIX = "rolerabbit"  # the index prefix the NDJSON files are written for
IMPORT_PATH = "/api/saved_objects/_import?overwrite=true"
_PREFIXED = re.compile(rf"(^|logpipe-){FILE_PREFIX}(?=[- ])")
_RENAMED = ("title", "name")


def load_saved_objects(directory: Path, prefix: str) -> list[dict[str, Any]]:
    """The saved objects of `directory/kibana/*.ndjson`, renamed for `prefix`."""
    objects = []
    for path in sorted((directory / "kibana").glob("*.ndjson")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ConfigError(f"{path}:{number}: not valid JSON: {exc}") from None
            if not isinstance(item, dict) or not {"type", "id", "attributes"} <= set(item):
                raise ConfigError(f"{path}:{number}: a saved object needs type, id, attributes")
            objects.append(_for_prefix(item, prefix))
    return objects


def _for_prefix(item: dict[str, Any], prefix: str) -> dict[str, Any]:
    item = json.loads(json.dumps(item))
    item["id"] = _PREFIXED.sub(lambda m: m.group(1) + prefix, item["id"])
    for key in _RENAMED:
        if isinstance(item["attributes"].get(key), str):
            item["attributes"][key] = _PREFIXED.sub(prefix, item["attributes"][key])
    return item


def to_ndjson(objects: list[dict[str, Any]]) -> bytes:
    """One JSON object per line, as Kibana's import API takes them."""
    return b"".join(json.dumps(item, separators=(",", ":")).encode() + b"\n" for item in objects)


class Kibana:
    """Kibana's saved-objects API over urllib (stdlib: nothing extra to install)."""

    def __init__(self, url: str, headers: dict[str, str] | None = None, timeout: float = 30):
        # `https://user:pass@host` becomes Basic auth: never part of a request line or message.
        url, user, password = split_userinfo(url)
        self.url = url.rstrip("/")
        from_url = auth_headers(user, password, None) if user is not None else {}
        self.headers = {"kbn-xsrf": "logpipe", **from_url, **(headers or {})}
        self.timeout = timeout

    def get(self, kind: str, object_id: str) -> dict[str, Any] | None:
        """The saved object, or None when Kibana has none with that id."""
        status, body = self._request("GET", f"/api/saved_objects/{kind}/{object_id}")
        if status == 404:
            return None
        if status >= 300:
            raise LogpipeError(f"Kibana GET {kind}/{object_id} answered {status}: {body!r}")
        return body

    def import_objects(self, ndjson: bytes) -> dict[str, Any]:
        """POST the NDJSON as a multipart file to `_import?overwrite=true`; raise on errors."""
        boundary = f"logpipe-{uuid.uuid4().hex}"
        data = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                f'filename="logpipe.ndjson"\r\nContent-Type: application/ndjson\r\n\r\n'
            ).encode()
            + ndjson
            + f"\r\n--{boundary}--\r\n".encode()
        )
        content_type = f"multipart/form-data; boundary={boundary}"
        status, body = self._request("POST", IMPORT_PATH, data, content_type)
        if status >= 300 or not isinstance(body, dict) or not body.get("success"):
            raise LogpipeError(f"Kibana import answered {status}: {body!r}")
        return body

    def _request(
        self, method: str, path: str, data: bytes | None = None, content_type: str | None = None
    ) -> tuple[int, Any]:
        headers = dict(self.headers)
        if content_type:
            headers["Content-Type"] = content_type
        request = urllib.request.Request(self.url + path, data, headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                return answer.status, _json(answer.read())
        except urllib.error.HTTPError as exc:
            return exc.code, _json(exc.read())
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise LogpipeError(f"cannot reach Kibana at {self.url}: {reason}") from None


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except json.JSONDecodeError:
        return raw.decode("utf-8", "replace")


def auth_headers(username: str | None, password: str | None, api_key: str | None) -> dict[str, str]:
    """Basic or ApiKey authorization for Kibana, if any is configured."""
    if api_key:
        return {"Authorization": f"ApiKey {api_key}"}
    if username is not None:
        token = base64.b64encode(f"{username}:{password or ''}".encode()).decode()
        return {"Authorization": f"Basic {token}"}
    return {}


def sync(
    kibana: Kibana, objects: list[dict[str, Any]], dry_run: bool, out: Callable[[str], None]
) -> int:
    """Import the objects Kibana lacks or has differently; print a line each; return changes."""
    changed = []
    for item in objects:
        current = kibana.get(item["type"], item["id"])
        label = f"{_kind(item)} {item['attributes'].get('title', item['id'])} ({item['id']})"
        if current is None:
            action = "create"
        elif _differs(item, current):
            action = "update"
        else:
            out(f"unchanged {label}")
            continue
        changed.append(item)
        out(f"{'would ' + action if dry_run else action + 'd'} {label}")
    if changed and not dry_run:
        kibana.import_objects(to_ndjson(changed))
    return len(changed)


def _kind(item: dict[str, Any]) -> str:
    return "data view" if item["type"] == "index-pattern" else f"saved {item['type']}"


def _differs(wanted: dict[str, Any], current: dict[str, Any]) -> bool:
    attributes = current.get("attributes") or {}
    return any(attributes.get(key) != value for key, value in wanted["attributes"].items())
