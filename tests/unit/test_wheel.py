"""The built wheel works on its own: bundled pipelines and lifecycle files found from anywhere."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[2]
ACCESS = b'81.2.69.160 - - [26/Nov/2026:10:00:00 +0000] "GET /a HTTP/1.1" 200 5 "-" "curl/8"'


def run(*args: str | Path, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], check=True, capture_output=True, **kwargs)


def test_every_package_is_in_the_wheel_list():
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "logpipe").rglob("__init__.py")
    }
    assert found <= listed, f"add to pyproject.toml [tool.setuptools] packages: {found - listed}"


def test_the_installed_wheel_runs_test_and_check_from_another_folder(tmp_path):
    run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", tmp_path / "dist", ROOT)
    (wheel,) = (tmp_path / "dist").glob("logpipe-*.whl")
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv)
    # Dependencies come from this environment's site-packages (a path entry, so its own .pth
    # files, among them the editable logpipe's, are not run); logpipe only from the wheel.
    site = Path(
        run(
            venv / "bin" / "python",
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['purelib'])",
        )
        .stdout.decode()
        .strip()
    )
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run(venv / "bin" / "python", "-m", "pip", "install", "-q", "--no-deps", wheel)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = run(
        venv / "bin" / "python", "-c", "import logpipe; print(logpipe.__file__)", cwd=elsewhere
    )
    assert str(site) in where.stdout.decode()

    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "LOGPIPE_GEOIP_CITY": "/nonexistent.mmdb",
    }
    check = run(
        venv / "bin" / "logpipe", "check", "--pipeline", "passthrough", cwd=elsewhere, env=env
    )
    assert b"pipeline passthrough OK" in check.stdout
    tested = run(venv / "bin" / "logpipe", "test", cwd=elsewhere, env=env, input=ACCESS + b"\n")
    (document,) = [orjson.loads(line) for line in tested.stdout.splitlines()]
    assert document["_source"]["source"]["ip"] == "81.2.69.160"
    assert document["_source"]["http"]["request"]["method"] == "GET"
    assert "_geoip_unavailable" in document["_source"]["tags"]  # said once on stderr
    assert tested.stderr.decode().count("scripts/geoip.sh") == 1
