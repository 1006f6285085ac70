"""The learner's side of the command line: `stagecraft login`, `submit` and `status` against a running platform.

The token and server are kept in a user config file (mode 0600); nothing here needs a data folder,
a database or the platform's secret key.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Iterator
from pathlib import Path

import httpx
import msgspec

from stagecraft.settings import user_config_dir

DEFAULT_SERVER = "http://127.0.0.1:8000"
TIMEOUT = httpx.Timeout(30.0, read=120.0)


class ClientError(Exception):
    """Something the person must change (no token, a refused project, an unreachable server): exit 2."""


class ClientConfig(msgspec.Struct, kw_only=True):
    server: str
    token: str


def config_path() -> Path:
    return user_config_dir() / "stagecraft" / "client.toml"


def save_config(config: ClientConfig) -> Path:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(f"server = {json.dumps(config.server)}\ntoken = {json.dumps(config.token)}\n")
    path.chmod(0o600)  # an existing file made with a looser mode is tightened too
    return path


def load_config(server: str | None) -> ClientConfig:
    path = config_path()
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise ClientError("you are not logged in: run `stagecraft login` first") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ClientError(f"{path} is damaged ({exc}); run `stagecraft login` again") from None
    token = data.get("token")
    if not isinstance(token, str) or not token:
        raise ClientError(f"{path} holds no token; run `stagecraft login` again")
    return ClientConfig(server=(server or data.get("server") or DEFAULT_SERVER).rstrip("/"), token=token)


class Api:
    def __init__(self, config: ClientConfig):
        self.config = config
        self.http = httpx.Client(
            base_url=config.server, headers={"Authorization": f"Bearer {config.token}"}, timeout=TIMEOUT
        )

    def __enter__(self) -> Api:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.http.close()

    def _check(self, response: httpx.Response) -> httpx.Response:
        if response.status_code < 400:
            return response
        try:
            detail = response.json().get("detail", response.text)
        except ValueError:
            detail = response.text[:300]
        if response.status_code == 401:
            raise ClientError(f"the server refused the token ({detail}); run `stagecraft login` again")
        raise ClientError(f"{detail} (HTTP {response.status_code})")

    def get(self, path: str, **params: str) -> object:
        try:
            return self._check(self.http.get(f"/api/v1{path}", params=params)).json()
        except httpx.HTTPError as exc:
            raise ClientError(f"cannot reach {self.config.server}: {exc}") from None

    def submit(self, slug: str, archive: bytes) -> dict:
        files = {"archive": ("project.tar.gz", archive, "application/gzip")}
        try:
            return self._check(self.http.post(f"/api/v1/exercises/{slug}/attempts", files=files)).json()
        except httpx.HTTPError as exc:
            raise ClientError(f"cannot reach {self.config.server}: {exc}") from None

    def follow(self, attempt_id: int) -> Iterator[dict]:
        """Each snapshot of the attempt as it is graded, the finished one last."""
        try:
            with self.http.stream("GET", f"/api/v1/attempts/{attempt_id}/events", timeout=None) as stream:
                if stream.status_code >= 400:
                    stream.read()
                    self._check(stream)
                event = ""
                for line in stream.iter_lines():
                    if line.startswith("event:"):
                        event = line.removeprefix("event:").strip()
                    elif line.startswith("data:") and event == "attempt":
                        yield json.loads(line.removeprefix("data:").strip())
                    elif event == "done" and not line:
                        return
        except httpx.HTTPError as exc:
            raise ClientError(f"lost the connection to {self.config.server}: {exc}") from None
