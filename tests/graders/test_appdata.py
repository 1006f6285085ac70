"""The app_data reader: files the app left in /data, read safely even when the app is hostile."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from stagecraft_grader import AppData, CheckFailed, GraderError


@pytest.fixture
def data(tmp_path: Path) -> AppData:
    (tmp_path / "users.json").write_text('{"alice": "s3cret-pass"}')
    (tmp_path / "db").mkdir()
    (tmp_path / "db" / "app.sqlite").write_bytes(b"\x00" * 2_000_000 + b"hash:abc")
    (tmp_path / "db" / "split.bin").write_bytes(b"\x00" * (1024 * 1024 - 3) + b"s3cret-pass")
    outside = tmp_path.parent / "outside.txt"
    outside.write_text("s3cret-pass")
    (tmp_path / "link.txt").symlink_to(outside)
    os.mkfifo(tmp_path / "pipe")
    return AppData(tmp_path)


def test_lists_regular_files_only(data: AppData) -> None:
    assert data.files() == ["db/app.sqlite", "db/split.bin", "users.json"]


def test_reads_bytes_and_text(data: AppData) -> None:
    assert data.read_text("users.json") == '{"alice": "s3cret-pass"}'
    assert data.read_bytes("db/app.sqlite").endswith(b"hash:abc")
    assert data.exists("users.json") and not data.exists("link.txt") and not data.exists("pipe")


def test_finds_plaintext_across_chunk_boundaries(data: AppData) -> None:
    assert data.contains_plaintext("s3cret-pass") == ["db/split.bin", "users.json"]
    assert data.contains_plaintext("not stored") == []


@pytest.mark.parametrize("name", ["missing.txt", "link.txt", "pipe"])
def test_missing_symlinked_or_special_files_fail_the_check(data: AppData, name: str) -> None:
    with pytest.raises(CheckFailed, match=f"your app's /data has no file {name}"):
        data.read_bytes(name)


def test_paths_outside_the_volume_are_a_suite_bug(data: AppData) -> None:
    with pytest.raises(GraderError):
        data.read_text("../outside.txt")
    with pytest.raises(GraderError):
        data.contains_plaintext("")
