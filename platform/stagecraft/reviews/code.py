"""An attempt's code as a mentor reads it: the file tree, highlighted files with line anchors, a diff."""

from __future__ import annotations

import difflib

from markupsafe import Markup
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import TextLexer, get_lexer_for_filename
from pygments.util import ClassNotFound

from stagecraft.settings import Settings
from stagecraft.submissions.archive import read_project_files
from stagecraft.submissions.services import stored_archive
from stagecraft.submissions.tables import Submission

# Folders a learner's archive may carry that nobody reviews.
SKIPPED = ("node_modules/", ".git/", ".venv/", "venv/", "__pycache__/", ".pytest_cache/", "dist/", "build/")
MAX_SHOWN_BYTES = 300_000  # a larger file is listed, not shown


async def attempt_files(settings: Settings, submission: Submission) -> dict[str, str]:
    """The attempt's reviewable text files: path -> text (binary and oversized files are left out)."""
    data, kind = await stored_archive(settings, submission)
    files = {}
    for path, content in read_project_files(data, kind).items():
        if any(path.startswith(skip) or f"/{skip}" in path for skip in SKIPPED):
            continue
        if len(content) > MAX_SHOWN_BYTES or b"\0" in content[:4096]:
            continue
        files[path] = content.decode("utf-8", "replace")
    return files


def highlighted(path: str, text: str) -> Markup:
    """The file as HTML: Pygments classes (styled by /static/pygments.css), each line anchored as L<n>."""
    try:
        lexer = get_lexer_for_filename(path, stripnl=False)
    except ClassNotFound:
        lexer = TextLexer(stripnl=False)
    formatter = HtmlFormatter(linenos="table", lineanchors="L", anchorlinenos=True, cssclass="code", wrapcode=True)
    return Markup(highlight(text, lexer, formatter))  # noqa: S704 - Pygments escapes the code it formats


def diff(old: dict[str, str], new: dict[str, str]) -> str:
    """A unified diff from one attempt's files to another's, file by file; "" when nothing changed."""
    chunks = []
    for path in sorted(set(old) | set(new)):
        before, after = old.get(path), new.get(path)
        if before == after:
            continue
        chunks.extend(
            difflib.unified_diff(
                (before or "").splitlines(keepends=True),
                (after or "").splitlines(keepends=True),
                fromfile=f"a/{path}" if before is not None else "/dev/null",
                tofile=f"b/{path}" if after is not None else "/dev/null",
            )
        )
    return "".join(line if line.endswith("\n") else line + "\n" for line in chunks)


def stylesheet() -> str:
    """The CSS for highlighted code, served as a static file (the CSP allows no inline styles)."""
    return HtmlFormatter(style="default", cssclass="code").get_style_defs(".code")
