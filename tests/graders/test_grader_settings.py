"""The grader's settings: defaults, and a message naming the variable when a value is unusable."""

from __future__ import annotations

from pathlib import Path

import pytest

from stagecraft_grader.settings import GraderSettings, SettingsError


def test_defaults_reach_the_app_as_localhost_with_no_service_ports() -> None:
    settings = GraderSettings.from_env({"STAGECRAFT_SEED": "1"})

    assert (settings.app_host, settings.app_port) == ("localhost", 8000)
    assert settings.service_ports == frozenset()
    assert (settings.app_data_dir, settings.app_code_dir) == (Path("/appdata"), Path("/appcode"))


def test_the_app_folders_are_read_from_the_environment() -> None:
    settings = GraderSettings.from_env({"APP_DATA_DIR": "/mnt/data", "APP_CODE_DIR": " /mnt/code "})

    assert (settings.app_data_dir, settings.app_code_dir) == (Path("/mnt/data"), Path("/mnt/code"))


@pytest.mark.parametrize("name", ["APP_DATA_DIR", "APP_CODE_DIR"])
def test_a_relative_app_folder_names_the_variable(name: str) -> None:
    with pytest.raises(SettingsError) as raised:
        GraderSettings.from_env({name: "appcode"})

    assert str(raised.value) == f"{name} must be an absolute path, got 'appcode'"


def test_service_ports_are_read_from_a_comma_separated_list() -> None:
    settings = GraderSettings.from_env({"STAGECRAFT_SERVICE_PORTS": " 6379, 5432 ", "APP_HOST": "::1"})

    assert settings.service_ports == {6379, 5432}
    assert settings.app_host == "::1"


@pytest.mark.parametrize("value", ["redis", "6379,", "0", "65536", "6379;5432", "٣"])
def test_unusable_service_ports_name_the_variable(value: str) -> None:
    with pytest.raises(SettingsError) as raised:
        GraderSettings.from_env({"STAGECRAFT_SERVICE_PORTS": value})

    assert (
        str(raised.value)
        == f"STAGECRAFT_SERVICE_PORTS must be port numbers (1 to 65535) separated by commas, got {value!r}"
    )
