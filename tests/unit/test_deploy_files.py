"""The deployment files parse and name only images, paths, settings and metrics that exist.

No Docker engine runs here, so docker/compose.yaml, docker/Dockerfile and the monitoring
files are checked by loading them: images are pinned official ones, every file they mount or
copy is in the repository (and in the build context), every LOGPIPE_* variable is a field of
logpipe.settings.Settings, and the alerts and the dashboard use only series logpipe exports.
(promtool runs the alert rules in tests/integration/test_promtool.py.)
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml

from logpipe.settings import ENV_PREFIX, Settings

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "docker"
COMPOSE_FILE = DOCKER / "compose.yaml"
DOCKERFILE = DOCKER / "Dockerfile"
ENV_EXAMPLE = DOCKER / ".env.example"
PROMETHEUS_DIR = DOCKER / "prometheus"
GRAFANA_DIR = DOCKER / "grafana"
DASHBOARD = GRAFANA_DIR / "dashboards" / "logpipe.json"

# The series `logpipe run` exports (logpipe/metrics.py), with their labels, and Prometheus's `up`.
METRICS: dict[str, set[str]] = {
    "logpipe_events_in_total": set(),
    "logpipe_events_indexed_total": {"family"},
    "logpipe_events_already_present_total": set(),
    "logpipe_events_dropped_total": set(),
    "logpipe_dead_lettered_total": {"reason"},
    "logpipe_stage_failures_total": {"tag"},
    "logpipe_bulk_request_duration_seconds": {"le"},
    "logpipe_bulk_rejections_total": {"status"},
    "logpipe_batch_size": {"le"},
    "logpipe_consumer_lag": {"topic", "partition"},
    "logpipe_committed_offset": {"topic", "partition"},
    "logpipe_geoip_database_age_seconds": {"database"},
    "logpipe_engine_up": set(),
    "logpipe_process_resident_memory_bytes": set(),
    "up": set(),
}
HISTOGRAMS = {"logpipe_bulk_request_duration_seconds", "logpipe_batch_size"}
TARGET_LABELS = {"job", "instance"}
ALERTS = {
    "LogpipeConsumerLagRising",
    "LogpipeDeadLetterRate",
    "LogpipeBulkRejections",
    "LogpipeWorkerDown",
    "LogpipeGeoIPDatabaseStale",
}

# Official images only, pinned to a release (never `latest`). The tags in compose.yaml were
# checked against the projects' published tags when written; a bump keeps this format.
OFFICIAL_IMAGES = {
    "apache/kafka": r"\d+\.\d+\.\d+",
    "docker.elastic.co/elasticsearch/elasticsearch": r"8\.\d+\.\d+",
    "docker.elastic.co/kibana/kibana": r"8\.\d+\.\d+",
    "prom/prometheus": r"v\d+\.\d+\.\d+",
    "grafana/grafana": r"\d+\.\d+\.\d+",
}
PYTHON_BASE = re.compile(r"^python:3\.11(\.\d+)?-slim(-[a-z]+)?$")
# Not a field: the settings file that load_settings reads before the environment.
SETTINGS_FILE_VARIABLE = f"{ENV_PREFIX}SETTINGS"
LOGPIPE_VARIABLE = re.compile(r"\bLOGPIPE_[A-Z0-9_]+\b")
INTERPOLATION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}")
STACK_SERVICES = {
    "kafka",
    "elasticsearch",
    "kibana",
    "logpipe-setup",
    "logpipe",
    "prometheus",
    "grafana",
}


# ------------------------------------------------------------------ loading


def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def services() -> dict[str, dict[str, Any]]:
    return compose()["services"]


def resolve_defaults(text: str) -> str:
    """Compose interpolation with no .env file: `${X:-default}` becomes default, `$$` is `$`."""
    return INTERPOLATION.sub(lambda m: m.group(2) or "", text).replace("$$", "$")


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {key: resolve_defaults(str(value)) for key, value in env.items()}


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if pending and line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        full = (pending + line).strip()
        pending = ""
        keyword, _, args = full.partition(" ")
        instructions.append((keyword.upper(), args.strip()))
    assert not pending, "Dockerfile ends in a continuation line"
    return instructions


def dockerfile_stages() -> list[list[tuple[str, str]]]:
    stages: list[list[tuple[str, str]]] = []
    for keyword, args in dockerfile_instructions():
        if keyword == "FROM":
            stages.append([])
        if stages:
            stages[-1].append((keyword, args))
    return stages


def dockerfile_args() -> dict[str, str]:
    """Default values of the ARGs declared before the first FROM."""
    values: dict[str, str] = {}
    for keyword, args in dockerfile_instructions():
        if keyword == "FROM":
            break
        if keyword == "ARG" and "=" in args:
            name, value = args.split("=", 1)
            values[name] = value
    return values


def dockerfile_env() -> dict[str, str]:
    """Variables set by ENV in the final stage."""
    values: dict[str, str] = {}
    for keyword, args in dockerfile_stages()[-1]:
        if keyword == "ENV":
            for item in shlex.split(args):
                name, _, value = item.partition("=")
                values[name] = value
    return values


def strip_flags(args: str) -> list[str]:
    return [word for word in shlex.split(args) if not word.startswith("--")]


def env_example() -> tuple[dict[str, str], dict[str, str]]:
    """(set, commented) LOGPIPE_* variables of .env.example, name to value."""
    active: dict[str, str] = {}
    commented: dict[str, str] = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^(#\s*)?(LOGPIPE_[A-Z0-9_]+)=(.*)$", line.strip())
        if match:
            target = commented if match.group(1) else active
            assert match.group(2) not in target, f".env.example: {match.group(2)} twice"
            target[match.group(2)] = match.group(3)
    return active, commented


def field_variables() -> set[str]:
    return {f"{ENV_PREFIX}{name.upper()}" for name in Settings.model_fields}


def pipeline_variables(pattern: str = "*.yaml") -> set[str]:
    """LOGPIPE_* variables that the bundled pipelines read as `${NAME}` or `${NAME:default}`."""
    names: set[str] = set()
    for path in (ROOT / "pipelines").glob(pattern):
        names |= set(re.findall(r"\$\{(LOGPIPE_[A-Z0-9_]+)", path.read_text(encoding="utf-8")))
    return names


def settings_from(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings built from exactly these LOGPIPE_* variables."""
    with monkeypatch.context() as patch:
        for name in [name for name in os.environ if name.startswith(ENV_PREFIX)]:
            patch.delenv(name)
        for name, value in env.items():
            patch.setenv(name, value)
        return Settings()


def bind_mounts(service: dict[str, Any]) -> list[tuple[Path, str]]:
    """(host path, container path) of the service's bind mounts (short or long syntax)."""
    mounts = []
    for volume in service.get("volumes") or []:
        if isinstance(volume, str):
            source, _, rest = volume.partition(":")
            target = rest.split(":")[0]
        elif volume.get("type") == "bind":
            source, target = volume["source"], volume["target"]
        else:
            continue
        if source.startswith((".", "/", "~")):
            mounts.append(((DOCKER / source).resolve(), target))
    return mounts


def container_to_host(service: dict[str, Any], container_path: str) -> Path | None:
    """The host file behind a container path, when a bind mount of the service covers it."""
    path = PurePosixPath(container_path)
    for host, target in bind_mounts(service):
        try:
            relative = path.relative_to(target)
        except ValueError:
            continue
        return host / relative
    return None


def dockerignore_rules() -> list[tuple[bool, re.Pattern[str]]]:
    """(re-include?, pattern) of .dockerignore, `*` within a name and `**` across folders."""
    rules = []
    for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        pattern = line.lstrip("!").strip().strip("/")
        regex = ""
        i = 0
        while i < len(pattern):
            if pattern.startswith("**/", i):
                regex, i = regex + "(?:.*/)?", i + 3
            elif pattern.startswith("**", i):
                regex, i = regex + ".*", i + 2
            elif pattern[i] == "[" and "]" in pattern[i:]:
                close = pattern.index("]", i)
                regex, i = regex + pattern[i : close + 1], close + 1
            else:
                char = pattern[i]
                regex += {"*": "[^/]*", "?": "[^/]"}.get(char, re.escape(char))
                i += 1
        rules.append((negated, re.compile(regex)))
    return rules


def in_build_context(relative: str) -> bool:
    """Whether .dockerignore keeps this file: the last rule matching it or a parent folder wins."""
    parts = PurePosixPath(relative).parts
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    included = True
    for negated, pattern in dockerignore_rules():
        if any(pattern.fullmatch(prefix) for prefix in prefixes):
            included = negated
    return included


def alert_rules() -> list[dict[str, Any]]:
    doc = yaml.safe_load((PROMETHEUS_DIR / "alerts.yml").read_text(encoding="utf-8"))
    return [rule for group in doc["groups"] for rule in group["rules"] if "alert" in rule]


def dashboard() -> dict[str, Any]:
    return json.loads(DASHBOARD.read_text(encoding="utf-8"))


def dashboard_exprs() -> list[str]:
    exprs = []
    for panel in dashboard()["panels"]:
        exprs.extend(target["expr"] for target in panel.get("targets", []))
    for variable in dashboard()["templating"]["list"]:
        if variable["type"] == "query":
            query = variable["query"]
            exprs.append(query["query"] if isinstance(query, dict) else query)
    return exprs


def metric_names(expr: str) -> set[str]:
    """Series names in a PromQL expression (Grafana's label_values() included)."""
    names = set(re.findall(r"\blogpipe_[a-z0-9_]+\b", expr))
    names |= set(re.findall(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\s*[{\[]", expr))
    return {name for name in names if not name.startswith("__")}


def base_metric(name: str) -> str:
    for suffix in ("_bucket", "_sum", "_count"):
        if name.endswith(suffix) and name.removesuffix(suffix) in HISTOGRAMS:
            return name.removesuffix(suffix)
    return name


def grouping_labels(expr: str) -> set[str]:
    labels: set[str] = set()
    keywords = r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)"
    for group in re.findall(keywords, expr):
        labels |= {label.strip() for label in group.split(",") if label.strip()}
    return labels


def known_labels() -> set[str]:
    return set().union(*METRICS.values()) | TARGET_LABELS


# ------------------------------------------------------------------ compose


def test_compose_parses_with_the_whole_stack():
    doc = compose()
    assert "version" not in doc, "the top-level `version` key is obsolete in Compose"
    assert set(doc["services"]) >= STACK_SERVICES, set(doc["services"])
    for name, service in doc["services"].items():
        assert "image" in service or "build" in service, f"service {name}: no image or build"
    for name in doc.get("volumes") or {}:
        used = any(
            isinstance(v, str) and v.split(":")[0] == name
            for s in doc["services"].values()
            for v in s.get("volumes") or []
        )
        assert used, f"named volume {name} is declared but no service mounts it"


def test_images_are_official_and_pinned():
    seen = set()
    for name, service in services().items():
        if "build" in service:
            continue
        image = service["image"]
        repository, _, tag = image.rpartition(":")
        assert repository in OFFICIAL_IMAGES, f"service {name}: {image} is not an official image"
        assert re.fullmatch(OFFICIAL_IMAGES[repository], tag), (
            f"service {name}: {image} is not pinned to a release tag"
        )
        seen.add(repository)
    assert seen == set(OFFICIAL_IMAGES), f"images not used: {set(OFFICIAL_IMAGES) - seen}"
    versions = {
        service["image"].rpartition(":")[2]
        for service in services().values()
        if service.get("image", "").startswith("docker.elastic.co/")
    }
    assert len(versions) == 1, f"Kibana and Elasticsearch must share a version: {versions}"


def test_logpipe_services_build_this_repository():
    for name in ("logpipe", "logpipe-setup"):
        build = services()[name]["build"]
        context = (DOCKER / build["context"]).resolve()
        assert context == ROOT, f"service {name}: build context {context} is not the repository"
        assert (context / build["dockerfile"]).resolve() == DOCKERFILE
    assert services()["logpipe"]["image"] == services()["logpipe-setup"]["image"]


def test_compose_bind_mounts_and_files_exist():
    for name, service in services().items():
        for host, target in bind_mounts(service):
            assert host.exists(), f"service {name}: mounts {host} (at {target}), which is missing"
        for env_file in service.get("env_file") or []:
            entry = env_file if isinstance(env_file, dict) else {"path": env_file}
            path = DOCKER / entry["path"]
            if entry.get("required", True):
                assert path.exists(), f"service {name}: env_file {path} is missing"
            else:
                assert (path.parent / ".env.example").exists(), "optional .env without example"


def test_container_paths_in_compose_point_into_mounted_files():
    """Paths like --config.file=/etc/prometheus/prometheus.yml land on files of this repo."""
    checked = 0
    for name, service in services().items():
        words = [str(word) for word in service.get("command") or [] if isinstance(word, str)]
        words += list(environment(service).values())
        for word in words:
            for candidate in re.findall(r"(/[\w./-]+)", word):
                host = container_to_host(service, candidate)
                if host is not None:
                    assert host.exists(), f"service {name}: {candidate} is {host}, missing"
                    checked += 1
    assert checked >= 2, "expected the Prometheus config and Grafana home dashboard paths"


def test_startup_order_and_probes():
    svc = services()
    assert svc["logpipe-setup"]["command"] == ["setup"]
    assert svc["logpipe"].get("command", ["run"]) == ["run"]
    worker_deps = svc["logpipe"]["depends_on"]
    assert worker_deps["kafka"]["condition"] == "service_healthy"
    assert worker_deps["logpipe-setup"]["condition"] == "service_completed_successfully"
    for name, service in svc.items():
        depends_on = service.get("depends_on") or {}
        if isinstance(depends_on, list):
            depends_on = dict.fromkeys(depends_on, "service_started")
        for dependency, spec in depends_on.items():
            assert dependency in svc, f"service {name} depends on unknown {dependency}"
            condition = spec.get("condition") if isinstance(spec, dict) else None
            if condition == "service_healthy":
                assert "healthcheck" in svc[dependency], f"{dependency} has no healthcheck"
            if condition == "service_completed_successfully":
                assert svc[dependency].get("restart", "no") == "no", f"{dependency} restarts"
    probe = svc["logpipe"]["healthcheck"]["test"]
    assert probe[:3] == ["CMD", "python", "-c"] and "/readyz" in probe[3]
    compile(probe[3], "compose logpipe healthcheck", "exec")


def test_compose_commands_are_logpipe_commands():
    """`logpipe <command> --help` succeeds for the commands the compose services run."""
    for name in ("logpipe", "logpipe-setup"):
        command = services()[name].get("command") or ["run"]
        answer = subprocess.run(
            [sys.executable, "-m", "logpipe", command[0], "--help"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=60,
        )
        assert answer.returncode == 0, (
            f"service {name} runs `logpipe {command[0]}`, which the CLI does not know: "
            f"{answer.stderr.strip()[-300:]}"
        )


def test_ports_agree_between_worker_image_and_prometheus():
    env = environment(services()["logpipe"])
    port = env["LOGPIPE_METRICS_PORT"]
    assert env["LOGPIPE_METRICS_HOST"] == "0.0.0.0", "the status port must be reachable"
    published = [str(p).split(":")[-1] for p in services()["logpipe"].get("ports", [])]
    assert port in published
    assert dockerfile_env()["LOGPIPE_METRICS_PORT"] == port
    exposed = [args for keyword, args in dockerfile_stages()[-1] if keyword == "EXPOSE"]
    assert exposed == [port]
    config = yaml.safe_load((PROMETHEUS_DIR / "prometheus.yml").read_text(encoding="utf-8"))
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    targets = [t for sc in jobs["logpipe"]["static_configs"] for t in sc["targets"]]
    assert targets == [f"logpipe:{port}"], targets


# ------------------------------------------------------------------ Dockerfile


def test_dockerfile_is_multi_stage_from_python_slim():
    stages = dockerfile_stages()
    assert len(stages) >= 2, "build wheels in one stage, install them in another"
    args = dockerfile_args()
    names = set()
    for stage in stages:
        words = stage[0][1].split()
        image = re.sub(r"\$\{?(\w+)\}?", lambda m: args.get(m.group(1), m.group(0)), words[0])
        assert image in names or PYTHON_BASE.match(image), f"FROM {image}: not python:3.11-slim"
        if len(words) == 3 and words[1].upper() == "AS":
            names.add(words[2])
    assert any(
        keyword == "RUN" and "pip wheel" in args for keyword, args in dockerfile_instructions()
    )


def test_dockerfile_runs_logpipe_as_non_root_with_probes():
    final = dockerfile_stages()[-1]
    users = [args for keyword, args in final if keyword == "USER"]
    assert users and users[-1].split(":")[0] not in {"root", "0"}, "run as a non-root user"
    entrypoint = json.loads(next(args for keyword, args in final if keyword == "ENTRYPOINT"))
    cmd = json.loads(next(args for keyword, args in final if keyword == "CMD"))
    assert entrypoint + cmd == ["logpipe", "run"], (entrypoint, cmd)
    healthcheck = next(args for keyword, args in final if keyword == "HEALTHCHECK")
    probe = json.loads(healthcheck[healthcheck.index("CMD") + 3 :].strip())
    assert probe[:2] == ["python", "-c"] and "/healthz" in probe[2]
    assert "LOGPIPE_METRICS_PORT" in probe[2]
    compile(probe[2], "Dockerfile HEALTHCHECK", "exec")


def test_dockerfile_copies_files_that_exist_and_are_in_the_build_context():
    copied = set()
    for keyword, args in dockerfile_instructions():
        if keyword not in {"COPY", "ADD"} or "--from=" in args:
            continue
        *sources, _destination = strip_flags(args)
        for source in sources:
            path = ROOT / source
            assert path.exists(), f"{keyword} {source}: missing from the repository"
            files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
            files = [p for p in files if "__pycache__" not in p.parts]
            assert files, f"{keyword} {source}: an empty directory (git does not keep those)"
            for file in files:
                relative = file.relative_to(ROOT).as_posix()
                assert in_build_context(relative), f"{relative} is excluded by .dockerignore"
            copied.add(source.strip("/"))
    assert {"pipelines", "ilm", "logpipe", "pyproject.toml"} <= copied, copied


def test_dockerfile_env_paths_are_in_the_image():
    """ENV paths like LOGPIPE_LIFECYCLE_DIR=/app/ilm are copied there or made as mount points."""
    final = dockerfile_stages()[-1]
    places = [
        strip_flags(args)[-1].rstrip("/")
        for keyword, args in final
        if keyword == "COPY" and "--from=" not in args
    ]
    for keyword, args in final:
        if keyword == "RUN":
            places += re.findall(r"mkdir\s+(?:-p\s+)?(/\S+)", args)
    for name, value in dockerfile_env().items():
        if name.startswith("LOGPIPE_") and value.startswith("/app/"):
            path = PurePosixPath(value)
            inside = [p for p in map(PurePosixPath, places) if p == path or p in path.parents]
            assert inside, f"ENV {name}={value}: nothing is copied or made there"


def test_dockerignore_keeps_the_context_small():
    for unwanted in (".git/HEAD", "tests/unit/test_sink.py", ".run/kafka/x", "docker/compose.yaml"):
        assert not in_build_context(unwanted), f"{unwanted} would be sent to the Docker daemon"
    assert not in_build_context("logpipe/__pycache__/cli.cpython-311.pyc")
    assert not in_build_context("logpipe/stages/old.pyc")
    assert in_build_context("logpipe/cli.py")


# ------------------------------------------------------------------ settings


def test_every_logpipe_variable_is_a_setting_or_a_pipeline_variable():
    allowed = field_variables() | pipeline_variables() | {SETTINGS_FILE_VARIABLE}
    for path in (COMPOSE_FILE, DOCKERFILE, ENV_EXAMPLE):
        for name in LOGPIPE_VARIABLE.findall(path.read_text(encoding="utf-8")):
            assert name in allowed, (
                f"{path.relative_to(ROOT)}: {name} is neither a field of "
                "logpipe.settings.Settings nor a variable of a pipeline in pipelines/"
            )


def test_env_example_names_every_setting_once():
    active, commented = env_example()
    both = set(active) & set(commented)
    assert not both, f"set and commented out: {both}"
    named = set(active) | set(commented)
    missing = field_variables() - named
    assert not missing, f".env.example lacks {sorted(missing)} (new fields of Settings?)"
    missing = pipeline_variables("default.yaml") - named
    assert not missing, f".env.example lacks {sorted(missing)} of pipelines/default.yaml"
    extra = named - field_variables() - pipeline_variables() - {SETTINGS_FILE_VARIABLE}
    assert not extra, f".env.example names what nothing reads: {sorted(extra)}"


def test_env_example_values_are_accepted(monkeypatch):
    active, commented = env_example()
    for name, value in {**active, **commented}.items():
        assert " #" not in value, f"{name}: compose would read ' #...' as a comment"
    settings_from({k: v for k, v in active.items() if k in field_variables()}, monkeypatch)
    for name, value in commented.items():
        if name in field_variables():
            settings_from({**active, name: value}, monkeypatch)


def test_compose_settings_are_accepted(monkeypatch):
    for name in ("logpipe", "logpipe-setup"):
        env = {k: v for k, v in environment(services()[name]).items() if k.startswith("LOGPIPE_")}
        settings = settings_from(env, monkeypatch)
        assert settings.engine == "elasticsearch"
        assert settings.engine_url == ["http://elasticsearch:9200"]
        assert settings.brokers.split(":")[0] == "kafka"


# ------------------------------------------------------------------ Prometheus and Grafana


def test_prometheus_loads_the_alert_rules():
    config = yaml.safe_load((PROMETHEUS_DIR / "prometheus.yml").read_text(encoding="utf-8"))
    for rule_file in config["rule_files"]:
        assert (PROMETHEUS_DIR / rule_file).is_file(), rule_file
    assert "alerts.yml" in config["rule_files"]


def test_alerts_cover_the_failures_and_each_has_tests_both_ways():
    rules = alert_rules()
    names = [rule["alert"] for rule in rules]
    assert len(names) == len(set(names)), names
    assert set(names) >= ALERTS, ALERTS - set(names)
    tests = yaml.safe_load((PROMETHEUS_DIR / "alerts_test.yml").read_text(encoding="utf-8"))
    assert tests["rule_files"] == ["alerts.yml"]
    fires, quiet = set(), set()
    for case in tests["tests"]:
        for check in case.get("alert_rule_test", []):
            (fires if check.get("exp_alerts") else quiet).add(check["alertname"])
    assert set(names) <= fires, f"no test where these fire: {set(names) - fires}"
    assert set(names) <= quiet, f"no test where these stay quiet: {set(names) - quiet}"
    for rule in rules:
        assert rule["labels"]["severity"] in {"critical", "warning", "info"}
        assert {"summary", "description"} <= set(rule["annotations"]), rule["alert"]


@pytest.mark.parametrize("source", ["alerts", "dashboard"])
def test_only_exported_series_and_labels_are_used(source):
    if source == "alerts":
        exprs = [rule["expr"] for rule in alert_rules()]
        texts = [json.dumps(rule.get("annotations", {})) for rule in alert_rules()]
        used_labels = {m for t in texts for m in re.findall(r"\$labels\.(\w+)", t)}
    else:
        exprs = dashboard_exprs()
        legends = [
            target.get("legendFormat", "")
            for panel in dashboard()["panels"]
            for target in panel.get("targets", [])
        ]
        used_labels = {m for legend in legends for m in re.findall(r"\{\{\s*(\w+)\s*\}\}", legend)}
    assert exprs
    for expr in exprs:
        names = {base_metric(name) for name in metric_names(expr)}
        assert names, f"no series in {expr!r}"
        unknown = names - set(METRICS)
        assert not unknown, f"{source}: {sorted(unknown)} is not exported by logpipe: {expr!r}"
        unknown_labels = grouping_labels(expr) - known_labels()
        assert not unknown_labels, f"{source}: unknown labels {unknown_labels} in {expr!r}"
    assert used_labels <= known_labels(), used_labels - known_labels()


def test_dashboard_uses_the_provisioned_datasource_and_is_well_formed():
    datasources = yaml.safe_load(
        (GRAFANA_DIR / "provisioning" / "datasources" / "prometheus.yaml").read_text("utf-8")
    )["datasources"]
    uids = {ds["uid"] for ds in datasources if ds["type"] == "prometheus"}
    prometheus_url = next(ds["url"] for ds in datasources if ds["type"] == "prometheus")
    host, port = re.match(r"^https?://([^:/]+):(\d+)", prometheus_url).groups()
    assert host in services() and any(
        str(p).endswith(f":{port}") for p in services()[host].get("ports", [])
    ), prometheus_url
    board = dashboard()
    assert board["uid"] and board["title"]
    ids = [panel["id"] for panel in board["panels"]]
    assert len(ids) == len(set(ids)), "panel ids repeat"
    for panel in board["panels"]:
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24, panel["title"]
        if panel["type"] == "row":
            continue
        assert panel["datasource"]["uid"] in uids, panel["title"]
        assert panel["targets"], f"panel {panel['title']} has no query"
        for target in panel["targets"]:
            assert target["datasource"]["uid"] in uids, panel["title"]


def test_grafana_provisioning_finds_the_dashboard():
    providers = yaml.safe_load(
        (GRAFANA_DIR / "provisioning" / "dashboards" / "logpipe.yaml").read_text("utf-8")
    )["providers"]
    grafana = services()["grafana"]
    mounted = {target for _host, target in bind_mounts(grafana)}
    assert "/etc/grafana/provisioning" in mounted
    for provider in providers:
        host = container_to_host(grafana, provider["options"]["path"])
        assert host is not None, f"{provider['options']['path']} is not mounted into grafana"
        assert DASHBOARD in host.glob("*.json"), f"{DASHBOARD} is not under {host}"
