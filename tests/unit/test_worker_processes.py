"""`logpipe run --workers N`: how the worker processes start (logpipe.app._Supervisor)."""

from __future__ import annotations

import gc
import os
from pathlib import Path

import prometheus_client.values as values

from logpipe import app
from logpipe.metrics import MULTIPROC_ENV, share_between_processes
from logpipe.pipeline import Pipeline
from logpipe.settings import Settings


def test_the_first_processes_run_the_pipeline_the_parent_built(monkeypatch, tmp_path):
    """Forked, not spawned: each child holds the parent's very pipeline object (its address is
    the parent's), and the parent's collector is back to normal afterwards."""
    pipeline = Pipeline(name="shared")

    def child(settings, log_level, parent_pid, member, shared=None):
        Path(tmp_path, str(member)).write_text(f"{id(shared)} {shared.name} {parent_pid}")

    monkeypatch.setattr(app, "_child", child)
    supervisor = app._Supervisor(Settings(), 2, "INFO", pipeline)
    for process in supervisor.children:
        process.join(30)
        assert process.exitcode == 0
    expected = f"{id(pipeline)} shared {os.getpid()}"
    assert [Path(tmp_path, str(n)).read_text() for n in range(2)] == [expected, expected]
    assert gc.get_freeze_count() == 0


def test_sharing_metrics_between_processes_switches_the_value_store(monkeypatch, tmp_path):
    """prometheus_client chose its store at import; a forked child inherits the choice."""
    monkeypatch.delenv(MULTIPROC_ENV, raising=False)
    monkeypatch.setattr(values, "ValueClass", values.get_value_class())
    assert values.ValueClass is values.MutexValue
    share_between_processes(str(tmp_path))
    assert os.environ[MULTIPROC_ENV] == str(tmp_path)
    assert values.ValueClass.__name__ == "MmapedValue"  # MultiProcessValue's, files per process
