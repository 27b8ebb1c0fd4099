"""Connection and batching settings from a YAML file and `LOGPIPE_*` environment variables."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from logpipe.errors import ConfigError
from logpipe.urlauth import without_userinfo
from logpipe.yamlfile import read_yaml

ENV_PREFIX = "LOGPIPE_"
_INDEX_PREFIX = re.compile(r"^[a-z0-9][a-z0-9_.+-]*$")
_COMMITS = "offsets are committed only after delivery"
# librdkafka options the delivery contract sets itself: refused under `kafka:`.
CONTRACT_KAFKA_OPTIONS = {
    "enable.auto.commit": _COMMITS,
    "auto.commit.enable": _COMMITS,
    "enable.auto.offset.store": _COMMITS,
    "group.id": "set group_id",
    "group.instance.id": "set group_instance_id",
    "bootstrap.servers": "set brokers",
    "metadata.broker.list": "set brokers",
    "partition.assignment.strategy": "the worker assigns partitions incrementally",
    "enable.idempotence": "dead letters are written idempotently",
    "acks": "dead letters wait for every in-sync replica",
    "request.required.acks": "dead letters wait for every in-sync replica",
}


def _split_commas(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class Settings(BaseSettings):
    """Everything `logpipe run` needs besides the pipeline itself."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid")

    brokers: str = "127.0.0.1:9092"
    topics: Annotated[list[str], NoDecode] = ["logs"]
    group_id: str = "logpipe"
    group_instance_id: str | None = Field(
        None, description="static membership: a stable id per worker; `hostname` uses $HOSTNAME"
    )
    session_timeout_ms: int = Field(
        10_000, ge=1000, le=3_600_000, description="how soon a silent worker's partitions move"
    )
    dead_letter_topic: str = "logpipe-dead-letter"
    kafka: dict[str, str | int | float | bool] = Field(
        default_factory=dict, description="extra librdkafka options, e.g. security.protocol"
    )
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    kafka_sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = None
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    kafka_ssl_ca: Path | None = Field(None, description="CA bundle for SSL / SASL_SSL")

    engine: Literal["opensearch", "elasticsearch"] = "opensearch"
    engine_url: Annotated[list[str], NoDecode] = ["http://127.0.0.1:9200"]
    engine_username: str | None = None
    engine_password: SecretStr | None = None
    engine_api_key: SecretStr | None = None
    engine_ca_certs: Path | None = None
    engine_verify_certs: bool = True
    engine_timeout: float = Field(30.0, gt=0)
    bulk_max_bytes: int = Field(
        10 * 1024 * 1024, ge=64 * 1024, description="bulk bodies are split to stay under this"
    )

    index_prefix: str = "rolerabbit"
    index_mode: Literal["daily", "rollover"] = Field(
        "daily", description="daily indices <prefix>-<family>-YYYY.MM.DD, or a write alias each"
    )
    lifecycle_dir: Path | None = Field(None, description="lifecycle and templates (default ilm/)")
    require_templates: bool = Field(True, description="`run` refuses to start without them")
    kibana_url: str | None = Field(None, description="Kibana for `setup` (saved objects)")
    kibana_username: str | None = None
    kibana_password: SecretStr | None = None
    kibana_api_key: SecretStr | None = None
    pipeline: str = "default"
    batch_size: int = Field(1000, ge=1, le=100_000)
    max_in_flight: int = Field(
        3, ge=1, le=16, description="batches delivered at once while the next one is prepared"
    )
    flush_interval: float = Field(1.0, gt=0, le=60, description="seconds to wait to fill a batch")
    commit_interval: float = Field(
        0.5, ge=0, le=60, description="seconds between commits under load"
    )
    max_backoff: float = Field(30.0, gt=0, description="cap of the retry backoff, seconds")
    shutdown_timeout: float = Field(30.0, ge=0, description="seconds to finish a batch on SIGTERM")

    metrics_host: str = "127.0.0.1"
    metrics_port: int = Field(9108, ge=0, le=65535, description="0 turns the endpoint off")
    log_format: Literal["auto", "json", "text"] = "auto"

    @field_validator("topics", "engine_url", mode="before")
    @classmethod
    def _comma_list(cls, value: Any) -> Any:
        return _split_commas(value)

    @field_validator("topics", "engine_url")
    @classmethod
    def _non_empty(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("must name at least one")
        return value

    @field_validator("engine_url")
    @classmethod
    def _urls(cls, value: list[str]) -> list[str]:
        for url in value:
            if not re.match(r"^https?://[^/\s]+", url):
                raise ValueError(f"{without_userinfo(url)!r} is not an http(s):// URL")
        return value

    @model_validator(mode="after")
    def _kafka_sasl(self) -> Settings:
        if self.kafka_security_protocol.startswith("SASL_") and not (
            self.kafka_sasl_mechanism and self.kafka_sasl_username and self.kafka_sasl_password
        ):
            raise ValueError(
                f"kafka_security_protocol {self.kafka_security_protocol} needs "
                "kafka_sasl_mechanism, kafka_sasl_username and kafka_sasl_password"
            )
        return self

    @field_validator("kafka")
    @classmethod
    def _kafka_options(cls, value: dict[str, Any]) -> dict[str, Any]:
        for name in value:
            if name in CONTRACT_KAFKA_OPTIONS:
                raise ValueError(
                    f"option {name!r} belongs to logpipe ({CONTRACT_KAFKA_OPTIONS[name]}); "
                    "remove it"
                )
        return value

    @field_validator("index_prefix")
    @classmethod
    def _index_prefix(cls, value: str) -> str:
        if not _INDEX_PREFIX.match(value):
            raise ValueError("must be lowercase letters, digits, '-', '_', '.', '+'")
        return value

    @classmethod
    def settings_customise_sources(  # type: ignore[override]
        cls, settings_cls, init_settings, env_settings, dotenv_settings, file_secret_settings
    ):
        """Environment variables win over the settings file, which wins over defaults."""
        return (env_settings, init_settings)


def load_settings(path: str | Path | None = None) -> Settings:
    """Load settings from `path` (or $LOGPIPE_SETTINGS) and the environment, or ConfigError."""
    path = path or os.environ.get(f"{ENV_PREFIX}SETTINGS")
    values: dict[str, Any] = {}
    where = "settings"
    if path:
        where = f"settings file {path}"
        raw = read_yaml(path, "settings file")
        if raw is not None and not isinstance(raw, dict):
            raise ConfigError(f"{where}: expected a mapping of setting names to values")
        values = raw or {}
    try:
        return Settings(**values)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, where)) from None


def _describe(exc: ValidationError, where: str) -> str:
    parts = []
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else "(top level)"
        env_name = f"{ENV_PREFIX}{name.upper()}"
        source = f"environment variable {env_name}" if env_name in os.environ else where
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "unknown setting"
        parts.append(f"{source}: field '{'.'.join(map(str, error['loc']))}': {message}")
    return "; ".join(parts)
