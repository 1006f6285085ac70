"""The vendored editor's one local change still highlights the same comment words (see its VENDORED.md)."""

import re

import pytest

from stagecraft.settings import REPO_ROOT

ACE = REPO_ROOT / "platform/stagecraft/static/vendor/ace-1.36.5"
WORDS = ["T" + "ODO", "F" + "IXME", "X" + "XX", "H" + "ACK"]  # spelt apart: this file holds no marker word


@pytest.mark.parametrize("mode", ["mode-javascript.js", "mode-typescript.js", "mode-markdown.js"])
def test_the_comment_marker_rule_matches_the_same_words(mode):
    source = (ACE / mode).read_text(encoding="utf-8")
    [pattern] = re.findall(r'"(\\\\b\(\?:T\[O\]DO[^"]*)"', source)
    rule = re.compile(pattern.replace("\\\\", "\\"))
    assert [bool(rule.search(f"// {word}: later")) for word in WORDS] == [True] * 4
    assert not rule.search("// todo is not a marker") and not rule.search("// TODOS")
