"""What each container of a job is told: the app's and the grader's environment, nothing from the host."""

from __future__ import annotations

import json

from stagecraft.sandbox import JobSpec

# The ports apps are told to use (127.0.0.1:<port>); the ports a sidecar image EXPOSEs count too.
SIDECAR_PORTS = {"redis": 6379, "postgres": 5432}
# What the app is told about each sidecar (the exercise's own app_env may say the same again).
SERVICE_ENV = {
    "redis": {"REDIS_URL": "redis://127.0.0.1:6379"},
    "postgres": {
        # trust authentication: any password is accepted, and some clients insist on one.
        "DATABASE_URL": "postgresql://app:app@127.0.0.1:5432/app",
        "PGHOST": "127.0.0.1",
        "PGPORT": "5432",
        "PGUSER": "app",
        "PGPASSWORD": "app",
        "PGDATABASE": "app",
    },
}
# Where a job's prepared dependencies are mounted, and what tells the runtime about them.
DEPS_MOUNT = {"python": "/deps", "node": "/app/node_modules"}
_DEPS_ENV = {"python": {"PYTHONPATH": "/deps"}, "node": {}}
_RUNTIME_PATH = {
    "python": "/deps/bin:/opt/runtime/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "node": "/app/node_modules/.bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
}


def app_environment(spec: JobSpec) -> dict[str, str]:
    """The app's whole environment besides the image's: nothing comes from the host."""
    env = {name: value for service in spec.services for name, value in SERVICE_ENV.get(service, {}).items()}
    if spec.deps_dir is not None:
        env |= _DEPS_ENV[spec.runtime] | {"PATH": _RUNTIME_PATH[spec.runtime]}
    return env | spec.app_env | {"PORT": str(spec.port), "HOME": "/tmp", "DATA_DIR": "/data"}


def grader_environment(spec: JobSpec) -> dict[str, str]:
    startup = min(15.0, spec.limits.wall_seconds / 3)
    service_ports = sorted({SIDECAR_PORTS[name] for name in spec.services if name in SIDECAR_PORTS})
    return {
        "APP_HOST": "localhost",  # the SDK tries 127.0.0.1 and ::1, as curl does
        "APP_PORT": str(spec.port),
        "STAGECRAFT_SERVICE_PORTS": ",".join(map(str, service_ports)),
        "APP_DATA_DIR": "/appdata",  # the app's /data volume, read-only
        "APP_CODE_DIR": "/appcode",  # the app's working copy of the project, read-only
        "STAGECRAFT_SEED": str(spec.seed),
        "STAGECRAFT_APP_ENV": json.dumps(spec.app_env),  # what the app was given, for the suite to check
        "STARTUP_TIMEOUT": f"{startup:g}",
        "PYTHONDONTWRITEBYTECODE": "1",
        "HOME": "/tmp",
    }
