"""The docs keep up with the code: every setting and CLI command is documented."""

from __future__ import annotations

import os
import subprocess
import sys

import click

from stagecraft.cli import main
from stagecraft.settings import DOCUMENTED_VARIABLES, REPO_ROOT

DOCS = REPO_ROOT / "docs"


def commands(group: click.Group, prefix: str = "stagecraft") -> list[str]:
    found = []
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += commands(command, f"{prefix} {name}")
        else:
            found.append(f"{prefix} {name}")
    return found


def test_every_setting_is_documented():
    text = (DOCS / "operator" / "settings.md").read_text()
    missing = [name for name in DOCUMENTED_VARIABLES if f"`{name}`" not in text]
    assert missing == []


def test_every_setting_read_is_in_the_documented_list():
    source = (REPO_ROOT / "platform" / "stagecraft" / "settings.py").read_text()
    import re

    read = set(re.findall(r'"((?:STAGECRAFT|DATABASE)_[A-Z_]+)"', source))
    assert read == set(DOCUMENTED_VARIABLES)


def test_every_cli_command_is_documented():
    text = (DOCS / "operator" / "cli.md").read_text()
    names = commands(main)
    assert "stagecraft grade" in names and "stagecraft images build" in names
    assert [name for name in names if f"`{name}" not in text] == []


def test_the_docs_build_strictly(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert run.returncode == 0, run.stderr
