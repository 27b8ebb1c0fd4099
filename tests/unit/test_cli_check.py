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
