"""Archive intake: every hostile shape is refused before anything runs; nothing lands outside."""

import io
import os
import tarfile
import zipfile
from pathlib import Path

import pytest

from stagecraft.submissions.archive import (
    ArchiveError,
    ArchiveLimits,
    archive_kind,
    extract_project,
    list_members,
    read_submission_manifest,
)
from tests.helpers import zip_files

MANIFEST = 'runtime = "python"\nstart = "python app.py"\n'


def tar_gz(add) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        add(archive)
    return buffer.getvalue()


def tar_member(archive: tarfile.TarFile, name: str, content: bytes = b"", **attrs) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(content)
    for key, value in attrs.items():
        setattr(info, key, value)
    archive.addfile(info, io.BytesIO(content))


def test_a_good_zip_is_extracted_with_its_manifest(tmp_path: Path):
    data = zip_files({"stagecraft.toml": MANIFEST, "app.py": "print('hi')", "pkg/mod.py": "x = 1"})
    extract_project(data, "zip", tmp_path / "code")
    assert read_submission_manifest(tmp_path / "code").start == "python app.py"
    assert (tmp_path / "code" / "pkg" / "mod.py").read_text() == "x = 1"


def test_a_single_top_folder_is_taken_as_the_project(tmp_path: Path):
    data = zip_files({"myproj/stagecraft.toml": MANIFEST, "myproj/app.py": "print(1)"})
    extract_project(data, "zip", tmp_path / "code")
    assert sorted(p.name for p in (tmp_path / "code").iterdir()) == ["app.py", "stagecraft.toml"]


def test_archive_kind_is_read_from_the_bytes_not_the_name():
    assert archive_kind("x.tar.gz", zip_files({"a": "b"})) == "zip"
    assert archive_kind("x.zip", tar_gz(lambda a: tar_member(a, "a", b"b"))) == "tar.gz"
    with pytest.raises(ArchiveError, match="neither"):
        archive_kind("x.zip", b"plain text")


@pytest.mark.parametrize(
    ("name", "message"),
    [("../evil.py", "climbs out"), ("/etc/passwd", "absolute"), ("a/../../evil", "climbs out")],
)
def test_zip_slip_and_absolute_paths_are_refused(tmp_path: Path, name: str, message: str):
    data = zip_files({"stagecraft.toml": MANIFEST, name: "x"})
    with pytest.raises(ArchiveError, match=message):
        extract_project(data, "zip", tmp_path / "code")
    assert not (tmp_path / "evil.py").exists()


@pytest.mark.parametrize(
    "kind",
    [tarfile.SYMTYPE, tarfile.LNKTYPE, tarfile.CHRTYPE, tarfile.BLKTYPE, tarfile.FIFOTYPE],
)
def test_links_and_special_files_in_a_tar_are_refused(tmp_path: Path, kind: bytes):
    def add(archive):
        tar_member(archive, "stagecraft.toml", MANIFEST.encode())
        tar_member(archive, "thing", type=kind, linkname="/etc/passwd")

    with pytest.raises(ArchiveError, match="link or special file"):
        extract_project(tar_gz(add), "tar.gz", tmp_path / "code")
    assert not (tmp_path / "code").exists()


def test_a_symlink_in_a_zip_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("stagecraft.toml", MANIFEST)
        info = zipfile.ZipInfo("link")
        info.external_attr = 0o120777 << 16
        archive.writestr(info, "/etc/passwd")
    with pytest.raises(ArchiveError, match="link or special file"):
        list_members(buffer.getvalue(), "zip")


def test_names_that_are_not_utf8_are_refused():
    def add(archive):
        tar_member(archive, "stagecraft.toml", MANIFEST.encode())
        tar_member(archive, b"caf\xe9.py".decode("utf-8", "surrogateescape"), b"x")

    with pytest.raises(ArchiveError, match="UTF-8"):
        list_members(tar_gz(add), "tar.gz")


def test_a_zip_bomb_is_refused_by_ratio():
    data = zip_files({"stagecraft.toml": MANIFEST, "zeros.bin": b"\0" * (20 * 1024 * 1024)})
    with pytest.raises(ArchiveError, match="zip bomb"):
        list_members(data, "zip")


def test_too_many_files_and_too_many_bytes_are_refused():
    many = zip_files({f"f{i}.txt": "x" for i in range(30)})
    with pytest.raises(ArchiveError, match="at most 20"):
        list_members(many, "zip", ArchiveLimits(max_files=20))
    big = zip_files({"big.bin": os.urandom(2048)})
    with pytest.raises(ArchiveError, match="MiB"):
        list_members(big, "zip", ArchiveLimits(max_total_bytes=1024))


def test_a_missing_or_wrong_manifest_is_explained(tmp_path: Path):
    with pytest.raises(ArchiveError, match="no stagecraft.toml"):
        extract_project(zip_files({"app.py": "x", "other/app.py": "y"}), "zip", tmp_path / "a")
    extract_project(zip_files({"stagecraft.toml": 'runtime = "cobol"\nstart = "x"'}), "zip", tmp_path / "b")
    with pytest.raises(ArchiveError, match="runtime"):
        read_submission_manifest(tmp_path / "b")
    extract_project(zip_files({"stagecraft.toml": 'runtime = "python"'}), "zip", tmp_path / "c")
    with pytest.raises(ArchiveError, match="start"):
        read_submission_manifest(tmp_path / "c")


def test_a_damaged_archive_is_refused():
    data = zip_files({"stagecraft.toml": MANIFEST})[:40]
    with pytest.raises(ArchiveError, match="damaged"):
        list_members(data, "zip")


def test_extraction_never_follows_a_planted_link(tmp_path: Path):
    """Even if the job folder already held a link, extraction refuses to write through it."""
    outside = tmp_path / "outside"
    outside.mkdir()
    code = tmp_path / "code"
    code.mkdir()
    (code / "app.py").symlink_to(outside / "app.py")
    with pytest.raises(OSError):
        extract_project(zip_files({"stagecraft.toml": MANIFEST, "app.py": "x"}), "zip", code)
    assert not (outside / "app.py").exists()


def test_dependency_files_are_read_at_intake_and_any_package_may_be_declared(tmp_path: Path):
    from stagecraft.curriculum.loader import load_curriculum
    from stagecraft.settings import REPO_ROOT
    from stagecraft.submissions.archive import check_project

    exercise = load_curriculum(REPO_ROOT / "curriculum", REPO_ROOT / "graders").exercise("http-basics")
    # A package the runtime image lacks is installed when graded: intake accepts it.
    files = {"stagecraft.toml": MANIFEST, "app.py": "x", "requirements.txt": "flask>=3\nflask-sqlalchemy==3.1.1\n"}
    extract_project(zip_files(files), "zip", tmp_path / "code")
    assert check_project(exercise, tmp_path / "code").runtime == "python"
    # PowerShell's `pip freeze > requirements.txt` writes UTF-16 with a BOM: pip reads it, so do we.
    (tmp_path / "code" / "requirements.txt").write_bytes("Flask==3.0.3\r\n".encode("utf-16"))
    assert check_project(exercise, tmp_path / "code").runtime == "python"
    # A line pip would refuse is the learner's to fix, and the message says where.
    (tmp_path / "code" / "requirements.txt").write_text("flask>=3\nflask ===> 2\n")
    with pytest.raises(ArchiveError, match="requirements.txt.*line 2"):
        check_project(exercise, tmp_path / "code")


def test_a_malformed_package_json_is_refused_with_its_line_and_column(tmp_path: Path):
    from stagecraft.curriculum.loader import load_curriculum
    from stagecraft.settings import REPO_ROOT
    from stagecraft.submissions.archive import check_project

    exercise = load_curriculum(REPO_ROOT / "curriculum", REPO_ROOT / "graders").exercise("http-basics")
    files = {
        "stagecraft.toml": 'runtime = "node"\nstart = "node server.js"\n',
        "server.js": "",
        "package.json": '{\n  "dependencies": {"express": "^4"},\n}\n',
    }
    extract_project(zip_files(files), "zip", tmp_path / "code")
    with pytest.raises(ArchiveError, match=r"package.json.*line 3") as refused:
        check_project(exercise, tmp_path / "code")
    assert "Traceback" not in str(refused.value)


def test_an_unknown_service_is_refused_with_the_services_on_offer(tmp_path: Path):
    from stagecraft.submissions.archive import read_submission_manifest

    (tmp_path / "stagecraft.toml").write_text('runtime = "python"\nstart = "python app.py"\nservices = ["mysql"]\n')
    with pytest.raises(ArchiveError, match="services on offer are: redis, postgres"):
        read_submission_manifest(tmp_path)
    (tmp_path / "stagecraft.toml").write_text('runtime = "python"\nstart = "python app.py"\nport = 5000\n')
    manifest = read_submission_manifest(tmp_path)
    assert (manifest.port, manifest.services) == (5000, [])
