"""`stagecraft-grader SUITE`: grade the app on APP_HOST:APP_PORT, events on stdout, logs on stderr."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import traceback
from pathlib import Path

import pytest

from . import fixtures
from .control import ControlChannel
from .events import EventStream
from .plugin import SUITE_BROKEN, USAGE_ERROR, GraderPlugin
from .settings import GraderSettings, SettingsError

_INI = """\
[pytest]
python_files = test_*.py *_test.py
python_functions = test_*
xfail_strict = true
console_output_style = classic
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="stagecraft-grader",
        description="Run a Stagecraft grader suite against a running app and print JSON events.",
    )
    parser.add_argument("suite", type=Path, help="folder holding the suite's test_*.py files")
    parser.add_argument(
        "-k",
        dest="keyword",
        metavar="EXPRESSION",
        default="",
        help="run only the tests whose names match, as pytest -k does (e.g. -k 'restart or not slow')",
    )
    args = parser.parse_args(argv)
    try:
        settings = GraderSettings.from_env(os.environ)
    except SettingsError as exc:
        print(f"stagecraft-grader: {exc}", file=sys.stderr)
        return USAGE_ERROR
    if not args.suite.is_dir():
        print(f"stagecraft-grader: suite folder {args.suite} does not exist", file=sys.stderr)
        return USAGE_ERROR
    events_fd = _take_stdout()
    answers_fd = _take_stdin()
    try:
        return _grade(args.suite.resolve(), settings, EventStream(events_fd), answers_fd, args.keyword)
    except Exception:
        print("stagecraft-grader: internal error", file=sys.stderr)
        traceback.print_exc(file=sys.stderr)
        return SUITE_BROKEN


def _take_stdout() -> int:
    """Keep the real stdout for events only; everything else that prints goes to stderr."""
    sys.stdout.flush()
    events_fd = os.dup(1)
    os.dup2(2, 1)
    return events_fd


def _take_stdin() -> int | None:
    """Keep the real stdin for app-control answers: pytest points fd 0 at /dev/null while testing."""
    try:
        return os.dup(0)
    except OSError:
        return None  # no stdin at all: app control will say it is unavailable


def _grade(
    suite: Path, settings: GraderSettings, events: EventStream, answers_fd: int | None, keyword: str = ""
) -> int:
    # The root filesystem is read-only: no bytecode caches, no plugins we did not ask for.
    sys.dont_write_bytecode = True
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    control = ControlChannel(events, answers_fd, settings.control_timeout)
    plugin = GraderPlugin(settings, events, control)
    with tempfile.TemporaryDirectory(prefix="stagecraft-grader-") as workdir:
        ini = Path(workdir) / "pytest.ini"
        ini.write_text(_INI)
        pytest.main(
            [
                str(suite),
                "-c",
                str(ini),
                "--rootdir",
                str(suite),
                "--confcutdir",
                str(suite),
                "--basetemp",
                str(Path(workdir) / "tmp"),
                "-p",
                "no:cacheprovider",
                "-p",
                "no:stepwise",
                "-q",
                "--tb=short",
                *(["-k", keyword] if keyword else []),
            ],
            plugins=[plugin, fixtures],
        )
    return plugin.exit_code
