from pathlib import Path

import pytest

from stagecraft.settings import SettingsError, load_settings


def test_defaults_use_sqlite_in_the_data_dir(tmp_path: Path):
    settings = load_settings({"STAGECRAFT_DATA_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path / 'stagecraft.sqlite3'}"
    assert settings.uses_sqlite
    assert settings.workers == 2
    assert settings.archives_dir.is_dir() and settings.jobs_dir.is_dir()


def test_secret_key_is_generated_once_and_kept(tmp_path: Path):
    first = load_settings({"STAGECRAFT_DATA_DIR": str(tmp_path)}).secret_key
    second = load_settings({"STAGECRAFT_DATA_DIR": str(tmp_path)}).secret_key
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"STAGECRAFT_WORKERS": "many"}, "STAGECRAFT_WORKERS"),
        ({"STAGECRAFT_WORKERS": "-1"}, "STAGECRAFT_WORKERS"),
        ({"STAGECRAFT_MAX_UPLOAD_MB": "0"}, "STAGECRAFT_MAX_UPLOAD_MB"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"STAGECRAFT_SECRET_KEY": "short"}, "STAGECRAFT_SECRET_KEY"),
        ({"STAGECRAFT_CURRICULUM_DIR": "/nonexistent/curriculum"}, "STAGECRAFT_CURRICULUM_DIR"),
        ({"STAGECRAFT_GRADING_RETRIES": "99"}, "STAGECRAFT_GRADING_RETRIES"),
    ],
)
def test_a_bad_setting_is_refused_with_its_name(tmp_path: Path, env: dict, named: str):
    with pytest.raises(SettingsError, match=named):
        load_settings({"STAGECRAFT_DATA_DIR": str(tmp_path), **env})


def test_postgres_url_is_accepted(tmp_path: Path):
    url = "postgresql://postgres@127.0.0.1:5432/stagecraft"
    settings = load_settings({"STAGECRAFT_DATA_DIR": str(tmp_path), "DATABASE_URL": url})
    assert settings.database_url == url and not settings.uses_sqlite
