"""Grader settings, read from the environment once at start and validated with a clear message."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .client import DEFAULT_TIMEOUT


class SettingsError(Exception):
    """An environment variable has a value the grader cannot use."""


@dataclass(frozen=True)
class GraderSettings:
    app_host: str = "localhost"  # "localhost": 127.0.0.1 or ::1, whichever answers (see address.py)
    app_port: int = 8000
    seed: int = 0
    startup_timeout: float = 10.0
    request_timeout: float = DEFAULT_TIMEOUT
    app_data_dir: Path = Path("/appdata")  # the app's /data volume, mounted read-only
    app_code_dir: Path = Path("/appcode")  # the app's working copy of the project (its /app), mounted read-only
    control_timeout: float = 30.0  # how long the worker may take to answer, on top of the action's timeout
    app_env: Mapping[str, str] = field(default_factory=dict)  # the exercise's extra app environment
    service_ports: frozenset[int] = frozenset()  # the platform's sidecars (Redis, PostgreSQL), not the app

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> GraderSettings:
        port = _int(env, "APP_PORT", 8000)
        if not 1 <= port <= 65535:
            raise SettingsError(f"APP_PORT must be between 1 and 65535, got {port}")
        seed_text = env.get("STAGECRAFT_SEED", "").strip()
        seed = _int(env, "STAGECRAFT_SEED", 0) if seed_text else random.SystemRandom().randrange(2**31)
        return cls(
            app_host=env.get("APP_HOST", "").strip() or "localhost",
            app_port=port,
            seed=seed,
            startup_timeout=_seconds(env, "STARTUP_TIMEOUT", 10.0),
            app_data_dir=_folder(env, "APP_DATA_DIR", "/appdata"),
            app_code_dir=_folder(env, "APP_CODE_DIR", "/appcode"),
            control_timeout=_seconds(env, "CONTROL_TIMEOUT", 30.0),
            app_env=_app_env(env),
            service_ports=_ports(env, "STAGECRAFT_SERVICE_PORTS"),
        )


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        raise SettingsError(f"{name} must be an integer, got {text!r}") from None


def _folder(env: Mapping[str, str], name: str, default: str) -> Path:
    text = env.get(name, "").strip() or default
    if not text.startswith("/"):
        raise SettingsError(f"{name} must be an absolute path, got {text!r}")
    return Path(text)


def _ports(env: Mapping[str, str], name: str) -> frozenset[int]:
    text = env.get(name, "").strip()
    parts = [part.strip() for part in text.split(",")] if text else []
    if not all(part.isascii() and part.isdigit() and 1 <= int(part) <= 65535 for part in parts):
        raise SettingsError(f"{name} must be port numbers (1 to 65535) separated by commas, got {text!r}")
    return frozenset(int(part) for part in parts)


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise SettingsError(f"{name} must be a number of seconds, got {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise SettingsError(f"{name} must be zero or more seconds, got {text!r}")
    return value


def _app_env(env: Mapping[str, str]) -> dict[str, str]:
    text = env.get("STAGECRAFT_APP_ENV", "").strip()
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        raise SettingsError(f"STAGECRAFT_APP_ENV must be a JSON object, got {text[:80]!r}") from None
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise SettingsError("STAGECRAFT_APP_ENV must be a JSON object of strings")
    return value
