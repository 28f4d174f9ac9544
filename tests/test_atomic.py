"""Atomic writes: the old file or the new one, never a partial or 0-byte file."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from yenflow.atomic import atomic_path, check_writable, write_bytes, write_text
from yenflow.errors import OutputError
from yenflow.snapshot import write_raw


def test_write_replaces_the_file_whole(tmp_path: Path):
    target = tmp_path / "sub" / "r.html"
    write_text(target, "one")
    write_text(target, "two")
    assert target.read_text() == "two" and [p.name for p in target.parent.iterdir()] == ["r.html"]
    assert oct(target.stat().st_mode & 0o777) != oct(0o600)  # not mkstemp's private mode


def test_a_failure_mid_write_leaves_the_old_file_and_no_temporary(tmp_path: Path, monkeypatch):
    target = tmp_path / "r.json"
    target.write_text("old")
    real_fsync = os.fsync

    def full_disk(fd):  # the bytes were written, but flushing them fails: ENOSPC
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OutputError, match="No space left on device") as info:
        write_bytes(target, b"new" * 1000)
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert info.value.path == target and str(target) in str(info.value)
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_a_writer_that_raises_leaves_nothing(tmp_path: Path):
    target = tmp_path / "x.parquet"
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("writer crashed")
    assert list(tmp_path.iterdir()) == []


def test_unusable_paths_are_explained(tmp_path: Path):
    (tmp_path / "afile").write_text("x")
    with pytest.raises(OutputError, match="is a folder"):
        check_writable(tmp_path)
    with pytest.raises(OutputError, match="is a file, not a folder"):
        check_writable(tmp_path / "afile" / "out.csv")
    check_writable(tmp_path / "new" / "deeper" / "out.csv")  # folders are created
    assert (tmp_path / "new" / "deeper").is_dir()


def test_snapshot_writes_stay_inside_the_folder(tmp_path: Path):
    assert write_raw(tmp_path, "mof/week.csv", b"x").read_bytes() == b"x"
    for bad in ("../escape.csv", "/etc/passwd", ""):
        with pytest.raises(OutputError, match="unsafe snapshot path"):
            write_raw(tmp_path, bad, b"x")
