"""The learner's commands against a running platform: `stagecraft login`, `submit` and `status`.

They need no data folder, database or secret key: only the token `login` saves (see stagecraft.client).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
import msgspec

from stagecraft.cli_output import EXIT_CANNOT_GRADE, EXIT_FAILED, EXIT_PASSED, EXTRA_PRACTICE, print_test


@click.command()
@click.option("--server", help=f"The platform's address (default: the saved one, or {'http://127.0.0.1:8000'}).")
@click.option("--token", help="An API token (sc_...); asked for when not given. Make one on your tokens page.")
def login(server: str | None, token: str | None) -> None:
    """Save an API token for `stagecraft submit` and `status` (in a user config file, mode 0600)."""
    from stagecraft.client import DEFAULT_SERVER, Api, ClientConfig, ClientError, save_config

    server = (server or _saved_server() or DEFAULT_SERVER).rstrip("/")
    if token is None:
        if not sys.stdin.isatty():
            token = sys.stdin.readline().strip()
        else:
            token = click.prompt(f"API token (make one at {server}/account/tokens)", hide_input=True).strip()
    config = ClientConfig(server=server, token=token)
    try:
        with Api(config) as api:
            api.get("/progress")
    except ClientError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_CANNOT_GRADE)
    path = save_config(config)
    click.echo(f"Logged in to {server}; the token is kept in {path}.")


def _saved_server() -> str | None:
    from stagecraft.client import ClientError, load_config

    try:
        return load_config(None).server
    except ClientError:
        return None


class _ApiTest(msgspec.Struct, kw_only=True):
    """An API test result shaped for the same printer as `stagecraft grade`."""

    id: str
    title: str
    tier: str
    status: str
    score: float
    max_score: float
    message: str = ""
    hint: str = ""
    rule: str = ""
    expected: str = ""
    curl: str = ""

    @property
    def transcript(self) -> list:
        from stagecraft.grading.events import Exchange

        return [Exchange(curl=self.curl)] if self.curl else []


@click.command()
@click.argument("path", default=".", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--exercise", "slug", required=True, help="The exercise's slug, e.g. http-basics.")
@click.option("--server", help="The platform's address (default: the one saved by `stagecraft login`).")
def submit(path: Path, slug: str, server: str | None) -> None:
    """Send the project at PATH as an attempt and follow its grading live.

    Packed like `stagecraft grade` does (no node_modules, virtual environments or .git). Exit code:
    0 passed, 1 failed, 2 could not submit.
    """
    from stagecraft.client import Api, ClientError, load_config
    from stagecraft.grading.local import pack_directory

    try:
        config = load_config(server)
        with Api(config) as api:
            attempt = api.submit(slug, pack_directory(path))
            click.echo(f"---- attempt #{attempt['id']} of {slug}: {config.server}{attempt['url']}")
            printed: set[str] = set()
            craft: list[_ApiTest] = []
            final = attempt
            for snapshot in api.follow(attempt["id"]):
                final = snapshot
                for raw in snapshot.get("tests") or []:
                    test = msgspec.convert(raw, _ApiTest)
                    if test.id in printed:
                        continue
                    printed.add(test.id)
                    craft.append(test) if test.tier == "craft" else print_test(test)  # type: ignore[arg-type]
    except ClientError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_CANNOT_GRADE)
    if craft:
        score, max_score = sum(t.score for t in craft), sum(t.max_score for t in craft)
        click.echo(f"\n---- {EXTRA_PRACTICE}: {score:g}/{max_score:g}")
        for test in craft:
            print_test(test)  # type: ignore[arg-type]
    verdict = final["verdict"].upper() + (" (polished)" if final.get("polished") else "")
    click.echo(f"\n{verdict}: {final['message']}  score {final['score']:g}/{final['max_score']:g}")
    click.echo(f"result page: {config.server}{final['url']}")
    if final["verdict"] == "passed":
        sys.exit(EXIT_PASSED)
    sys.exit(EXIT_CANNOT_GRADE if final["verdict"] == "infra_error" else EXIT_FAILED)


@click.command()
@click.option("--server", help="The platform's address (default: the one saved by `stagecraft login`).")
@click.option("--exercise", "slug", help="Only this exercise's attempts.")
def status(server: str | None, slug: str | None) -> None:
    """List your latest attempts on the platform."""
    from stagecraft.client import Api, ClientError, load_config

    try:
        config = load_config(server)
        with Api(config) as api:
            attempts = api.get("/attempts", **({"exercise": slug} if slug else {}))
    except ClientError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_CANNOT_GRADE)
    if not attempts:
        click.echo("No attempts yet.")
    for a in attempts[:20]:  # type: ignore[index]
        result = a["verdict_label"] or a["state"]
        click.echo(f"#{a['id']:<6} {a['exercise']:24} {result:40} {a['score']:g}/{a['max_score']:g}")
