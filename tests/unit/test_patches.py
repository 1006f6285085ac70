"""Broken variants as patches: a tree diff applies back exactly, and a patch that does not fit says where."""

from __future__ import annotations

from pathlib import Path

import pytest

from stagecraft.curriculum.patches import PatchError, apply_patch, diff_trees, materialise


def tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


BASE = {
    "app.py": "import os\n\n\ndef answer(n):\n    if n >= 10:\n        return 'big'\n    return 'small'\n",
    "stagecraft.toml": 'runtime = "python"\nstart = "python app.py"\n',
    "lib/util.py": "X = 1",  # no newline at the end
    "old.txt": "to be removed\n",
}


def test_a_tree_diff_applies_back_to_the_variant_exactly(tmp_path):
    base = tree(tmp_path / "base", BASE)
    changed = {**BASE, "app.py": BASE["app.py"].replace(">=", ">"), "lib/util.py": "X = 2\nY = 3", "new.js": "1;\n"}
    del changed["old.txt"]
    variant = tree(tmp_path / "variant", {**changed, "broken.toml": "fails = []\n"})

    patch = diff_trees(base, variant, exclude=frozenset({"broken.toml"}))
    (tmp_path / "broken.patch").write_text(patch)
    result = materialise(base, tmp_path / "broken.patch", tmp_path / "out")

    assert "-    if n >= 10:\n+    if n > 10:\n" in patch
    assert "\\ No newline at end of file" in patch
    assert {p.relative_to(result).as_posix(): p.read_text() for p in result.rglob("*") if p.is_file()} == changed
    assert (base / "old.txt").exists()  # the solution itself is untouched


def test_a_patch_that_no_longer_fits_names_the_file_and_line(tmp_path):
    base = tree(tmp_path / "base", BASE)
    variant = tree(tmp_path / "variant", {**BASE, "app.py": BASE["app.py"].replace("'big'", "'huge'")})
    patch = diff_trees(base, variant)
    (base / "app.py").write_text(BASE["app.py"].replace("return 'big'", "return 'large'"))

    with pytest.raises(
        PatchError, match=r"app.py: line 6 should read \"        return 'big'\" but reads .* nowhere else"
    ):
        apply_patch(patch, lambda path: (base / path).read_text())


def test_a_patch_still_applies_where_its_lines_have_moved(tmp_path):
    base = tree(tmp_path / "base", BASE)
    variant = tree(tmp_path / "variant", {**BASE, "app.py": BASE["app.py"].replace(">=", ">")})
    patch = diff_trees(base, variant)
    moved = "# a comment added above\n# and another\n" + BASE["app.py"]

    changed = apply_patch(patch, lambda path: moved if path == "app.py" else None)

    assert changed == {"app.py": moved.replace(">=", ">")}


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ("--- a/../etc/passwd\n+++ b/../etc/passwd\n@@ -1 +1 @@\n-x\n+y\n", "stay inside it"),
        ("--- /abs\n+++ /abs\n@@ -1 +1 @@\n-x\n+y\n", "stay inside it"),
        ("--- a/missing.py\n+++ b/missing.py\n@@ -1 +1 @@\n-x\n+y\n", "a file the solution does not have"),
        ("--- /dev/null\n+++ b/app.py\n@@ -0,0 +1 @@\n+y\n", "creates a file the solution already has"),
        ("--- a/app.py\n+++ b/app.py\n@@ -1,3 +1,3 @@\n import os\n", "a hunk ends early"),
        ("--- a/app.py\n", "must be followed by a '[+][+][+] ' line"),
        ("just some text\n", "changes no file"),
    ],
)
def test_malformed_or_escaping_patches_are_refused(tmp_path, patch, message):
    base = tree(tmp_path / "base", BASE)

    def read(path: str) -> str | None:
        target = base / path
        return target.read_text() if target.is_file() else None

    with pytest.raises(PatchError, match=message):
        apply_patch(patch, read)
