"""Plain REST calls through the engine's own client: (status, body), never an exception for 4xx."""

from __future__ import annotations

from typing import Any

from logpipe.engines import SearchEngine
from logpipe.errors import EngineUnavailable, LogpipeError


class Cluster:
    """The few REST calls `logpipe setup` makes, the same for Elasticsearch and OpenSearch."""

    def __init__(self, engine: SearchEngine) -> None:
        self.kind = engine.name
        self._client: Any = engine.client  # type: ignore[attr-defined]

    def get(self, path: str, params: dict[str, str] | None = None) -> tuple[int, Any]:
        """GET `path`; 404 is an answer, not an error."""
        return self.call("GET", path, params=params)

    def put(self, path: str, body: Any, params: dict[str, str] | None = None) -> tuple[int, Any]:
        """PUT a JSON body."""
        return self.call("PUT", path, body, params)

    def call(
        self, method: str, path: str, body: Any = None, params: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        """Any request; connection failures raise EngineUnavailable, 401/403 LogpipeError."""
        if self.kind == "elasticsearch":
            status, answer = self._elasticsearch(method, path, body, params)
        else:
            status, answer = self._opensearch(method, path, body, params)
        if status in (401, 403):
            raise LogpipeError(f"{self.kind} refused {method} {path} ({status}): {answer}")
        return status, answer

    def _elasticsearch(self, method: str, path: str, body: Any, params: Any) -> tuple[int, Any]:
        from elastic_transport import TransportError
        from elasticsearch import ApiError

        headers = {"accept": "application/json"}
        if body is not None:
            headers["content-type"] = "application/json"
        try:
            answer = self._client.perform_request(
                method, path, params=params, headers=headers, body=body
            )
            return answer.meta.status, answer.body
        except ApiError as exc:
            return exc.meta.status, exc.body
        except TransportError as exc:
            raise EngineUnavailable(f"elasticsearch unreachable: {exc.message}") from None

    def _opensearch(self, method: str, path: str, body: Any, params: Any) -> tuple[int, Any]:
        from opensearchpy.exceptions import ConnectionError as OSConnectionError
        from opensearchpy.exceptions import TransportError

        try:
            answer = self._client.transport.perform_request(method, path, params=params, body=body)
            return 200, answer
        except OSConnectionError as exc:
            raise EngineUnavailable(f"opensearch unreachable: {exc.error}") from None
        except TransportError as exc:
            status = exc.status_code if isinstance(exc.status_code, int) else 500
            return status, exc.info
