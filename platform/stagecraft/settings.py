"""Settings, read from environment variables and validated when the platform starts."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True, kw_only=True)
class Settings:
    data_dir: Path
    database_url: str  # "sqlite:///<path>" or "postgresql://..."
    curriculum_dir: Path
    graders_dir: Path
    repo_root: Path
    workers: int
    max_upload_bytes: int
    secret_key: str
    grading_retries: int
    deps_cache_mb: int = 5120
    deps_tree_mb: int = 400
    pip_index_url: str = ""
    npm_registry: str = ""
    budget_attempts: int = 20  # attempts per exercise in hand at most (a token bucket)
    budget_refill_minutes: float = 3.0  # one attempt comes back after this long
    queue: str = "embedded"  # "embedded" (the web grades) or "saq" (stagecraft worker processes grade)
    archive_store: str = ""  # "files", "database", or "" (files with SQLite, the database with PostgreSQL)
    lease_seconds: int = 60  # a grading job's claim lasts this long unless renewed

    @property
    def uses_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite:")

    @property
    def archives_dir(self) -> Path:
        return self.data_dir / "archives"

    @property
    def jobs_dir(self) -> Path:
        return self.data_dir / "jobs"

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"


@dataclass(frozen=True, kw_only=True)
class EngineSettings:
    """What the sandbox's engine client and image builds read. Apart from `Settings`, since images
    are built (sandboxes/build, `scripts/setup`) before there is a secret key or a database."""

    docker_host: str  # DOCKER_HOST, the Docker SDK's own variable (it reads it too)
    debian_mirror: str  # where debootstrap fetches the base image's packages
    data_dir: Path | None  # STAGECRAFT_DATA_DIR when set: the image build cache lives under it


DEFAULT_DEBIAN_MIRROR = "http://deb.debian.org/debian"


def engine_settings(env: Mapping[str, str] | None = None) -> EngineSettings:
    env = os.environ if env is None else env
    data_dir = env.get("STAGECRAFT_DATA_DIR")
    return EngineSettings(
        docker_host=env.get("DOCKER_HOST") or "unix:///var/run/docker.sock",
        debian_mirror=env.get("STAGECRAFT_DEBIAN_MIRROR") or DEFAULT_DEBIAN_MIRROR,
        data_dir=Path(data_dir) if data_dir else None,
    )


def use_our_piccolo_conf() -> None:
    """Point Piccolo's own lookup (its migration runner finds the engine through PICCOLO_CONF) at
    stagecraft.piccolo_conf, unless the environment already names one."""
    os.environ.setdefault("PICCOLO_CONF", "stagecraft.piccolo_conf")


def user_config_dir(env: Mapping[str, str] | None = None) -> Path:
    """The learner's own configuration folder (XDG_CONFIG_HOME, else ~/.config), for `stagecraft login`."""
    env = os.environ if env is None else env
    return Path(env.get("XDG_CONFIG_HOME") or Path.home() / ".config")


# Every variable Stagecraft reads, with its meaning; docs/operator/settings.md lists the same.
DOCUMENTED_VARIABLES = {
    "STAGECRAFT_DATA_DIR": "where the SQLite file, stored submissions and caches live (default ./data)",
    "DATABASE_URL": "postgresql://user@host:port/db for the scaled mode (default: SQLite in the data dir)",
    "STAGECRAFT_DEBIAN_MIRROR": "the Debian mirror debootstrap uses for the base image",
    "STAGECRAFT_CURRICULUM_DIR": "the curriculum folder (default: curriculum/ of this checkout)",
    "STAGECRAFT_GRADERS_DIR": "the folder whose suites/ holds the grader suites (default: graders/ of this checkout)",
    "STAGECRAFT_WORKERS": "grading jobs run at once by the embedded worker pool (default 2, 0 disables it)",
    "STAGECRAFT_MAX_UPLOAD_MB": "largest accepted submission archive, in MiB (default 10)",
    "STAGECRAFT_SECRET_KEY": "secret for signing; default: generated once and kept in the data dir",
    "STAGECRAFT_GRADING_RETRIES": "automatic retries of a job that ended in a platform fault (default 2)",
    "STAGECRAFT_DEPS_CACHE_MB": "size of the prepared-dependencies cache, least recently used evicted (default 5120)",
    "STAGECRAFT_DEPS_TREE_MB": "largest installed dependency tree of one project, in MiB (default 400)",
    "STAGECRAFT_PIP_INDEX_URL": "a PyPI mirror for learners' Python packages (default: PyPI)",
    "STAGECRAFT_NPM_REGISTRY": "an npm registry mirror for learners' Node packages (default: the npm registry)",
    "STAGECRAFT_BUDGET_ATTEMPTS": "attempts per learner and exercise in hand at most (default 20)",
    "STAGECRAFT_BUDGET_REFILL_MINUTES": "one attempt comes back after this many minutes (default 3)",
    "STAGECRAFT_QUEUE": "embedded (the web process grades, default) or saq (stagecraft worker processes grade)",
    "STAGECRAFT_ARCHIVES": "where submitted archives are kept: files or database (default: follows the database)",
    "STAGECRAFT_LEASE_SECONDS": "how long a worker's claim on a job lasts unless renewed (default 60)",
}


def _choice(env: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = env.get(name, "").strip().lower() or default
    if raw not in choices:
        raise SettingsError(f"{name} must be one of {', '.join(c for c in choices if c)}, got {raw!r}")
    return raw


def _int(env: Mapping[str, str], name: str, default: int, *, low: int, high: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low} and {high}, got {value}")
    return value


def _url(env: Mapping[str, str], name: str) -> str:
    raw = env.get(name, "").strip()
    if raw and not raw.startswith(("http://", "https://")):
        raise SettingsError(f"{name} must be an http:// or https:// URL, got {raw!r}")
    return raw


def _dir(env: Mapping[str, str], name: str, default: Path, *, must_exist: bool) -> Path:
    raw = env.get(name, "").strip()
    path = Path(raw).expanduser().resolve() if raw else default
    if must_exist and not path.is_dir():
        raise SettingsError(f"{name} must name an existing folder, but {path} is not one")
    return path


def _database_url(env: Mapping[str, str], data_dir: Path) -> str:
    raw = env.get("DATABASE_URL", "").strip()
    if not raw:
        return f"sqlite:///{data_dir / 'stagecraft.sqlite3'}"
    if raw.startswith(("postgresql://", "postgres://")) or raw.startswith("sqlite:///"):
        return raw
    raise SettingsError(f"DATABASE_URL must start with postgresql:// or sqlite:///, got {raw.split(':', 1)[0]!r}")


def _secret_key(env: Mapping[str, str], data_dir: Path) -> str:
    raw = env.get("STAGECRAFT_SECRET_KEY", "").strip()
    if raw:
        if len(raw) < 32:
            raise SettingsError("STAGECRAFT_SECRET_KEY must be at least 32 characters long")
        return raw
    key_file = data_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read and validate every setting; raise SettingsError naming the first bad variable."""
    env = os.environ if env is None else env
    data_dir = _dir(env, "STAGECRAFT_DATA_DIR", Path.cwd() / "data", must_exist=False)
    settings = Settings(
        data_dir=data_dir,
        database_url=_database_url(env, data_dir),
        curriculum_dir=_dir(env, "STAGECRAFT_CURRICULUM_DIR", REPO_ROOT / "curriculum", must_exist=True),
        graders_dir=_dir(env, "STAGECRAFT_GRADERS_DIR", REPO_ROOT / "graders", must_exist=True),
        repo_root=REPO_ROOT,
        workers=_int(env, "STAGECRAFT_WORKERS", 2, low=0, high=64),
        max_upload_bytes=_int(env, "STAGECRAFT_MAX_UPLOAD_MB", 10, low=1, high=512) * 1024 * 1024,
        secret_key=_secret_key(env, data_dir),
        grading_retries=_int(env, "STAGECRAFT_GRADING_RETRIES", 2, low=0, high=10),
        deps_cache_mb=_int(env, "STAGECRAFT_DEPS_CACHE_MB", 5120, low=100, high=10_000_000),
        deps_tree_mb=_int(env, "STAGECRAFT_DEPS_TREE_MB", 400, low=10, high=10_000),
        pip_index_url=_url(env, "STAGECRAFT_PIP_INDEX_URL"),
        npm_registry=_url(env, "STAGECRAFT_NPM_REGISTRY"),
        budget_attempts=_int(env, "STAGECRAFT_BUDGET_ATTEMPTS", 20, low=1, high=10_000),
        budget_refill_minutes=float(_int(env, "STAGECRAFT_BUDGET_REFILL_MINUTES", 3, low=0, high=10_080)),
        queue=_choice(env, "STAGECRAFT_QUEUE", "embedded", ("embedded", "saq")),
        archive_store=_choice(env, "STAGECRAFT_ARCHIVES", "", ("", "files", "database")),
        lease_seconds=_int(env, "STAGECRAFT_LEASE_SECONDS", 60, low=5, high=3600),
    )
    if settings.queue == "saq" and settings.uses_sqlite:
        raise SettingsError("STAGECRAFT_QUEUE=saq needs PostgreSQL: set DATABASE_URL=postgresql://user@host:port/db")
    for folder in (settings.data_dir, settings.archives_dir, settings.jobs_dir, settings.cache_dir):
        folder.mkdir(parents=True, exist_ok=True)
    return settings
