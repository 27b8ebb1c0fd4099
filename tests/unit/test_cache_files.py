"""Cache files written whole, and the parts killed writers left behind swept after an hour."""

from __future__ import annotations

import os
import time

import pytest

from logpipe.cache_files import STALE_PART_SECONDS, write_whole


def test_a_write_leaves_the_file_whole_and_no_part_of_its_own(tmp_path):
    target = tmp_path / "deep" / "derived-abc.json"
    write_whole(target, b"{}")
    write_whole(target, b'{"a":1}')
    assert target.read_bytes() == b'{"a":1}'
    assert list(target.parent.glob("*.part")) == []


def test_parts_of_killed_writers_are_swept_once_stale_and_fresh_ones_kept(tmp_path):
    stale = tmp_path / "derived-old.123.part"
    fresh = tmp_path / "derived-new.456.part"
    for part in (stale, fresh):
        part.write_bytes(b"half a fi")
    hour_ago = time.time() - STALE_PART_SECONDS - 60
    os.utime(stale, (hour_ago, hour_ago))
    write_whole(tmp_path / "db-1.bin", b"database")
    assert not stale.exists()
    assert fresh.exists()  # may belong to a writer still at work


def test_a_failed_write_leaves_no_part(tmp_path):
    target = tmp_path / "taken"
    target.mkdir()  # a folder where the file should go: the rename fails
    with pytest.raises(OSError):
        write_whole(target, b"data")
    assert list(tmp_path.glob("*.part")) == []
