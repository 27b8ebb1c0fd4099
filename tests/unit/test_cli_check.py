import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def check(*args):
    return subprocess.run(
        [sys.executable, "-m", "logpipe", "check", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_check_broken_settings_file(tmp_path):
    settings = tmp_path / "settings.yaml"
    settings.write_text("batch_size: many\nengine: solr\n")
    result = check("--settings", str(settings))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"settings file {settings}: field 'batch_size'" in result.stderr
    assert "field 'engine'" in result.stderr


def test_check_broken_pipeline_file(tmp_path):
    pipeline = tmp_path / "p.yaml"
    pipeline.write_text("stages:\n  - type: drop\n    when: {field: x, bigger: 3}\n")
    result = check("--pipeline", str(pipeline))
    assert result.returncode == 1
    assert f"pipeline {pipeline}: stage 1 [drop]" in result.stderr


def test_check_good_files():
    result = check("--pipeline", "passthrough")
    assert result.returncode == 0, result.stderr
    assert "pipeline passthrough OK" in result.stdout


def test_logpipe_test_releases_what_multiline_holds_at_end_of_input():
    lines = "start\njava.lang.IllegalStateException: x\n\tat a.B.c(B.java:1)\nlast line\n"
    result = subprocess.run(
        [sys.executable, "-m", "logpipe", "test", "--pipeline", "plaintext-traces"],
        cwd=ROOT,
        input=lines,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    import json

    docs = [json.loads(line) for line in result.stdout.splitlines()]
    logs = [d for d in docs if d["_index"].startswith("rolerabbit-logs-")]
    assert [d["_id"] for d in logs] == ["stdin-0-0", "stdin-0-3"]
    assert logs[0]["_source"]["message"].count("\n") == 2
    assert logs[1]["_source"]["message"] == "last line"


def test_check_never_prints_credentials_from_a_bad_url():
    import os

    result = subprocess.run(
        [sys.executable, "-m", "logpipe", "check", "--pipeline", "passthrough"],
        cwd=ROOT,
        env={**os.environ, "LOGPIPE_ENGINE_URL": "htps://elastic:pw-Secret1@host:9200"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "pw-Secret1" not in result.stderr + result.stdout
    assert "is not an http(s):// URL" in result.stderr


def test_errors_shown_by_the_cli_hide_url_credentials():
    from logpipe.cli import shown

    text = shown(RuntimeError("cannot reach https://token@es:9200 or http://u:p4ss@kibana:5601"))
    assert "token" not in text and "p4ss" not in text
    assert "https://***@es:9200" in text
    text = shown(ValueError("--kibana 'user:pw-S3cret@kibana:5601' is not an http(s):// URL"))
    assert text == "--kibana '***@kibana:5601' is not an http(s):// URL"
