"""One small interface over Elasticsearch (official client) and OpenSearch (opensearch-py)."""

from __future__ import annotations

import importlib
import sys
from typing import Any, Protocol

import orjson

from logpipe.errors import EngineUnavailable, LogpipeError
from logpipe.settings import Settings

# Only what per-item handling reads: a smaller answer to parse for every bulk request.
BULK_FILTER = "errors,items.*.status,items.*.error"

# The start of a bulk answer in which no item failed, as engines write it under BULK_FILTER, and
# the start of each of its items' results, as text and as bytes: such an answer's items are
# counted, not parsed.
_CLEAN_BULK_TEXT = ('{"errors":false,"items":[', '{"status":')
_CLEAN_BULK_BYTES = tuple(part.encode() for part in _CLEAN_BULK_TEXT)

# Whole-request statuses that mean "not now": back off and retry the same items.
RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


class RequestTooLarge(LogpipeError):
    """The engine refused a bulk body for its size (413): send smaller requests."""


class RequestRefused(LogpipeError):
    """The engine refused a whole bulk request (400): one of its documents may be the cause."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class SearchEngine(Protocol):
    """What the worker needs from a search engine."""

    name: str

    def bulk(self, body: bytes) -> dict[str, Any]:
        """Send an NDJSON bulk body; raise EngineUnavailable when the engine can't take it now."""
        ...

    def info(self) -> dict[str, Any]:
        """Return the engine's root info; raise EngineUnavailable when unreachable."""
        ...

    def ping(self, timeout: float) -> bool:
        """Tell whether the engine answers within `timeout` seconds."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


class ElasticsearchEngine:
    """Elasticsearch 8/9 through the official `elasticsearch` client."""

    name = "elasticsearch"

    def __init__(self, settings: Settings) -> None:
        self.client = sync_client("elasticsearch").Elasticsearch(
            settings.engine_url,
            serializer=_elasticsearch_serializer(),
            basic_auth=_basic_auth(settings),
            api_key=settings.engine_api_key.get_secret_value() if settings.engine_api_key else None,
            ca_certs=str(settings.engine_ca_certs) if settings.engine_ca_certs else None,
            verify_certs=settings.engine_verify_certs,
            request_timeout=settings.engine_timeout,
            max_retries=0,
            retry_on_timeout=False,
        )

    def bulk(self, body: bytes) -> dict[str, Any]:
        return self._call(lambda: self.client.bulk(operations=body, filter_path=BULK_FILTER))

    def info(self) -> dict[str, Any]:
        return self._call(self.client.info)

    def ping(self, timeout: float) -> bool:
        return bool(self.client.options(request_timeout=timeout).ping())

    def close(self) -> None:
        self.client.close()

    def _call(self, request: Any) -> dict[str, Any]:
        from elastic_transport import TransportError
        from elasticsearch import ApiError

        try:
            return dict(request())
        except ApiError as exc:
            raise _classify(exc.meta.status, self.name, _reason(exc.body, exc.message)) from None
        except TransportError as exc:
            raise EngineUnavailable(f"{self.name} unreachable: {exc.message}") from None


class OpenSearchEngine:
    """OpenSearch 2/3 through `opensearch-py`."""

    name = "opensearch"

    def __init__(self, settings: Settings) -> None:
        self.client = sync_client("opensearchpy").OpenSearch(
            settings.engine_url,
            serializer=_opensearch_serializer(),
            http_auth=_basic_auth(settings),
            headers=(
                {"Authorization": f"ApiKey {settings.engine_api_key.get_secret_value()}"}
                if settings.engine_api_key
                else None
            ),
            ca_certs=str(settings.engine_ca_certs) if settings.engine_ca_certs else None,
            verify_certs=settings.engine_verify_certs,
            timeout=settings.engine_timeout,
            max_retries=0,
            retry_on_timeout=False,
        )

    def bulk(self, body: bytes) -> dict[str, Any]:
        return self._call(lambda: self.client.bulk(body=body, filter_path=BULK_FILTER))

    def info(self) -> dict[str, Any]:
        return self._call(self.client.info)

    def ping(self, timeout: float) -> bool:
        return bool(self.client.ping(request_timeout=timeout))

    def close(self) -> None:
        self.client.close()

    def _call(self, request: Any) -> dict[str, Any]:
        from opensearchpy.exceptions import ConnectionError as OSConnectionError
        from opensearchpy.exceptions import TransportError

        try:
            return request()
        except OSConnectionError as exc:
            raise EngineUnavailable(f"{self.name} unreachable: {exc.error}") from None
        except TransportError as exc:
            status = exc.status_code if isinstance(exc.status_code, int) else 503
            raise _classify(status, self.name, _reason(exc.info, str(exc.error))) from None


def read_answer(data: bytes | str) -> Any:
    """An engine's JSON answer; a bulk answer in which no item failed gets its items as a `range`
    of their count (`sink.read_response` needs no more), not as a thousand dicts to make."""
    clean, status = _CLEAN_BULK_TEXT if isinstance(data, str) else _CLEAN_BULK_BYTES
    if data.startswith(clean):
        return {"errors": False, "items": range(data.count(status))}
    return orjson.loads(data)


def sync_client(package: str) -> Any:
    """The engine client `package` imported without its asyncio transport, which the worker never
    uses: both clients load aiohttp when it is installed (geoip2 brings it), ~7 MiB resident."""
    if package in sys.modules or "aiohttp" in sys.modules:
        return importlib.import_module(package)
    sys.modules["aiohttp"] = None  # type: ignore[assignment]  # `import aiohttp` fails meanwhile
    try:
        return importlib.import_module(package)
    finally:
        del sys.modules["aiohttp"]


def _elasticsearch_serializer() -> Any:
    """The Elasticsearch client's orjson serializer reading answers with `read_answer`."""
    from elasticsearch.serializer import OrjsonSerializer

    class AnswerReading(OrjsonSerializer):
        def json_loads(self, data: bytes) -> Any:
            return read_answer(data)

    return AnswerReading()


def _opensearch_serializer() -> Any:
    """opensearch-py's JSON serializer reading answers with `read_answer` (on senders)."""
    from opensearchpy.serializer import JSONSerializer, SerializationError

    class OrjsonReading(JSONSerializer):
        def loads(self, s: str) -> Any:
            try:
                return read_answer(s)
            except orjson.JSONDecodeError as exc:
                raise SerializationError(s, exc) from None

    return OrjsonReading()


def _basic_auth(settings: Settings) -> tuple[str, str] | None:
    if settings.engine_username is None:
        return None
    password = settings.engine_password.get_secret_value() if settings.engine_password else ""
    return (settings.engine_username, password)


def _reason(body: Any, fallback: str) -> str:
    """`type: reason` of an engine's error answer, or `fallback` when it has none."""
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and error.get("type"):
        return f"{error['type']}: {error.get('reason', '')}".strip()
    return fallback


def _classify(status: int, engine: str, message: str) -> LogpipeError:
    """Whole-request failures: only refused credentials stop the worker; the rest wait or split."""
    if status in RETRYABLE_STATUSES:
        return EngineUnavailable(f"{engine} answered {status} ({message}); retrying")
    if "cluster_block_exception" in message:
        return EngineUnavailable(
            f"{engine} blocks writes ({status}: {message}); retrying until the block is lifted"
        )
    if status in (401, 403):
        return LogpipeError(
            f"{engine} refused the credentials ({status}): check engine_username/"
            "engine_password or engine_api_key"
        )
    if status == 413:
        detail = f" ({message})" if message else ""
        return RequestTooLarge(f"{engine} answered 413: request too large{detail}")
    if status == 400:
        return RequestRefused(status, f"{engine} refused the request (400): {message}")
    return EngineUnavailable(
        f"{engine} answered {status} ({message}); retrying (check engine_url and any proxy "
        "in front of the engine)"
    )


def connect(settings: Settings) -> SearchEngine:
    """Build the engine client that `settings.engine` names."""
    if settings.engine == "elasticsearch":
        return ElasticsearchEngine(settings)
    return OpenSearchEngine(settings)
