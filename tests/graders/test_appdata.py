"""The app_data reader: files the app left in /data and in its project copy, read safely even when
the app is hostile."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from stagecraft_grader import AppData, CheckFailed, GraderError, appdata


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


@pytest.fixture
def app_files(data: AppData, tmp_path_factory: pytest.TempPathFactory) -> AppData:
    """The same data folder, and a project copy that keeps its SQLite file next to the code."""
    project = tmp_path_factory.mktemp("appcode")
    (project / "app.py").write_text("DB = 'app.db'\n")
    (project / "app.db").write_bytes(b"SQLite format 3\x00" + b"\x00" * 5000 + b"alice|s3cret-pass")
    (project / "src").mkdir()
    (project / "src" / "models.py").write_text("class User: ...\n")
    (project / "leak.db").symlink_to(data.root / "users.json")
    os.mkfifo(project / "pipe")
    return AppData(data.root, project)


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


def test_files_lists_the_data_folder_and_project_files_the_project_copy(app_files: AppData) -> None:
    assert app_files.files() == ["db/app.sqlite", "db/split.bin", "users.json"]
    assert app_files.project_files() == ["./app.db", "./app.py", "./src/models.py"]


def test_finds_plaintext_in_the_data_folder_then_the_project_copy(app_files: AppData) -> None:
    assert app_files.contains_plaintext("s3cret-pass") == ["db/split.bin", "users.json", "./app.db"]
    assert app_files.contains_plaintext("class User") == ["./src/models.py"]


def test_dot_slash_paths_read_the_project_copy(app_files: AppData) -> None:
    assert app_files.read_text("./app.py") == "DB = 'app.db'\n"
    assert app_files.exists("./src/models.py") and not app_files.exists("./users.json")
    assert not app_files.exists("app.py") and not app_files.exists("./leak.db")
    with pytest.raises(CheckFailed, match=r"your app's project folder has no file \./leak\.db"):
        app_files.read_bytes("./leak.db")
    with pytest.raises(GraderError):
        app_files.read_text("./../outside.txt")


@pytest.mark.parametrize("project", [None, "absent"], ids=["not given", "not mounted"])
def test_without_a_project_copy_only_the_data_folder_is_searched(
    data: AppData, tmp_path_factory: pytest.TempPathFactory, project: str | None
) -> None:
    app_files = AppData(data.root, None if project is None else tmp_path_factory.getbasetemp() / project)

    assert app_files.project_files() == []
    assert app_files.contains_plaintext("s3cret-pass") == ["db/split.bin", "users.json"]
    assert not app_files.exists("./app.db")
    with pytest.raises(CheckFailed, match="your app's project folder has no file ./app.db"):
        app_files.read_bytes("./app.db")


def test_the_file_limit_keeps_the_shallowest_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    packages = tmp_path / ".venv" / "lib" / "site-packages"
    packages.mkdir(parents=True)
    for n in range(10):
        (packages / f"module{n}.py").write_text("")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "app.db").write_text("")
    (tmp_path / "app.py").write_text("")
    monkeypatch.setattr(appdata, "FILE_LIMIT", 4)

    assert AppData(tmp_path / "unused", tmp_path).project_files() == [
        "./.venv/lib/site-packages/module0.py",
        "./.venv/lib/site-packages/module1.py",
        "./app.py",
        "./data/app.db",
    ]
