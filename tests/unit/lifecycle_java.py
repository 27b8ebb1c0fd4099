"""Run the Java checks of ilm/check/ (the official clients' types) from the lifecycle tests."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

CHECK = Path(__file__).resolve().parents[2] / "ilm" / "check"


def run_check(source: str, args: list[str], cwd: Path) -> tuple[int, dict[str, str]]:
    """Run ilm/check/`source` over `KIND:FILE` args in `cwd`: exit code, file -> rest of line.

    ilm/check/install.sh fetches the clients from Maven Central once (then from the cache).
    """
    java = shutil.which("java")
    assert java, "java (17+) is needed for the client-types check"
    install = subprocess.run(
        ["bash", str(CHECK / "install.sh")], capture_output=True, text=True, timeout=600
    )
    assert install.returncode == 0, f"ilm/check/install.sh failed: {install.stderr[-2000:]}"
    lib = install.stdout.strip().splitlines()[-1]
    result = subprocess.run(
        [java, "-cp", f"{lib}/*", str(CHECK / source), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )
    lines = {}
    for line in result.stdout.splitlines():
        verdict, _, rest = line.partition(" ")
        if verdict == "OK":
            name, _, read = rest.partition(" ")
            lines[name] = f"OK {read}".strip()
        else:
            name, _, reason = rest.partition(": ")
            lines[name] = f"{verdict} {reason}".strip()
    files = {arg.partition(":")[2] for arg in args}
    assert set(lines) == files, result.stdout + result.stderr
    return result.returncode, lines
