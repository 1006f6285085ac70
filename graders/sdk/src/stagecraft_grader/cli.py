"""`stagecraft-grader SUITE`: grade the app on APP_HOST:APP_PORT, events on stdout, logs on stderr."""

from __future__ import annotations

import argparse
import json
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
    parser.add_argument(
        "--settings-from-stdin",
        action="store_true",
        help="start, then wait for the run's environment as one JSON line on stdin (a grader made ahead)",
    )
    args = parser.parse_args(argv)
    try:
        if args.settings_from_stdin:
            os.environ.update(_read_settings_line())
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


MAX_SETTINGS_LINE = 1_000_000


def _read_settings_line() -> dict[str, str]:
    """One line of JSON, {"NAME": "value", ...}, read from fd 0 a byte at a time, so that nothing
    after it (app-control answers) is taken from the stream."""
    line = bytearray()
    while not line.endswith(b"\n"):
        byte = os.read(0, 1)
        if not byte:
            raise SettingsError("stdin ended before the settings line")
        line += byte
        if len(line) > MAX_SETTINGS_LINE:
            raise SettingsError("the settings line is too long")
    try:
        values = json.loads(line)
    except ValueError as exc:
        raise SettingsError(f"the settings line is not JSON: {exc}") from None
    if not isinstance(values, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in values.items()):
        raise SettingsError("the settings line must be a JSON object of strings")
    return values


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
