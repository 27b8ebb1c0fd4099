"""What the commands call: `logpipe setup`, the start-up check of `run`, and `check`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from logpipe.engines import SearchEngine
from logpipe.errors import LogpipeError
from logpipe.lifecycle import install, kibana
from logpipe.lifecycle.cluster import Cluster
from logpipe.lifecycle.definition import Definition, load_definition
from logpipe.lifecycle.templates import component_templates, index_templates
from logpipe.lifecycle.validate import check_mode
from logpipe.naming import write_alias


def definition_for(settings: Any) -> Definition:
    """The definition in `settings.lifecycle_dir`, or the bundled `ilm/`."""
    return load_definition(getattr(settings, "lifecycle_dir", None))


def validate_lifecycle(settings: Any) -> None:
    """Raise ConfigError if `ilm/` is invalid or can't work in this index mode and engine."""
    check_mode(definition_for(settings), _mode(settings), settings.engine)


def missing_templates(settings: Any, engine: SearchEngine) -> list[str]:
    """What the worker needs and the cluster lacks: component/index templates, write aliases."""
    definition = definition_for(settings)
    cluster = Cluster(engine)
    prefix = settings.index_prefix
    missing = []
    wanted = [("_component_template", n) for n in component_templates(definition, prefix)]
    templates = index_templates(definition, prefix, cluster.kind, _mode(settings))
    wanted += [("_index_template", name) for name in templates]
    for api, name in wanted:
        status, answer = cluster.get(f"/{api}/{name}")
        if status == 404:
            missing.append(name)
        elif status >= 300:
            raise LogpipeError(f"checking template {name} failed ({status}): {answer}")
    if _mode(settings) == "rollover":
        for family in definition.families:
            alias = write_alias(prefix, family)
            status, _ = cluster.get(f"/_alias/{alias}")
            if status == 404:
                missing.append(f"{alias} (write alias)")
    return missing


def require_templates(settings: Any, engine: SearchEngine) -> None:
    """Raise LogpipeError naming what is missing and how to install it."""
    missing = missing_templates(settings, engine)
    if missing:
        raise LogpipeError(
            f"index templates missing: {', '.join(missing)}; run `logpipe setup` "
            "(it installs them with the lifecycle policies; `--dry-run` shows what it would do)"
        )


def run_setup(
    settings: Any,
    engine: SearchEngine,
    dry_run: bool = False,
    kibana_url: str | None = None,
    out: Callable[[str], None] = print,
) -> int:
    """Install (or with `dry_run` show) everything; return the number of changes made or due."""
    definition = definition_for(settings)
    cluster = Cluster(engine)
    changes = install.plan(cluster, definition, settings.index_prefix, _mode(settings))
    if dry_run:
        for change in changes:
            out(change.line(dry_run=True))
            if change.action in ("create", "update"):
                for line in change.diff():
                    out(f"    {line}")
        for line in install.status(cluster, settings.index_prefix, definition.families):
            out(line)
    else:
        install.apply(changes, out)
    count = sum(change.action not in ("unchanged", "skip") for change in changes)
    url = kibana_url or getattr(settings, "kibana_url", None)
    if url:
        objects = kibana.load_saved_objects(definition.directory, settings.index_prefix)
        client = kibana.Kibana(url, _kibana_auth(settings))
        count += kibana.sync(client, objects, dry_run, out)
    _summary(changes, count, dry_run, out)
    return count


def _summary(
    changes: list[install.Change], count: int, dry_run: bool, out: Callable[[str], None]
) -> None:
    skipped = sum(change.action == "skip" for change in changes)
    tail = f" ({skipped} skipped: see above)" if skipped else ""
    if count == 0:
        out(f"setup: no changes{tail}")
    elif dry_run:
        out(f"setup: dry run, {count} change(s) due, nothing changed{tail}")
    else:
        out(f"setup: {count} change(s) made{tail}")


def _kibana_auth(settings: Any) -> dict[str, str]:
    password = getattr(settings, "kibana_password", None)
    api_key = getattr(settings, "kibana_api_key", None)
    return kibana.auth_headers(
        getattr(settings, "kibana_username", None),
        password.get_secret_value() if password else None,
        api_key.get_secret_value() if api_key else None,
    )


def _mode(settings: Any) -> Any:
    return getattr(settings, "index_mode", "daily")
