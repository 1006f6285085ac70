"""A project's declared dependencies: fetched on the host without running them, built in a build container.

The runtimes' own ways are in `deps_python` and `deps_node`; what they share (the learner-facing
`DependencyFailure`, the host fetch, the build container) in `deps_build`. Trees are kept in
`DepsStore` under the hash of the runtime image and the exact inputs. A learner's mistake (a
package that does not exist, no wheel, a failing build, a tree over the cap) is
`DependencyFailure`, whose message names the package and the reason; a registry that cannot be
reached is `SandboxError` (a platform fault, retried).

A Python project is prepared for the newest Python it allows (requires-python); when one of its
pinned packages has no wheel for that Python but does for an older one the sandbox offers
(e.g. a 2023 `pip freeze` on Python 3.13), it runs on that older Python instead, as it did on
the learner's machine.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path

import msgspec

from stagecraft.dependencies import DependencyError, NodeDeclared, PythonDeclared
from stagecraft.dependencies.declared import input_files, read_python
from stagecraft.dependencies.node import read_node
from stagecraft.sandbox.deps_build import DependencyFailure, DependencySettings, NoWheel
from stagecraft.sandbox.deps_node import check_engines, node_image_suffices, node_image_versions, prepare_node
from stagecraft.sandbox.deps_python import installs_itself, prepare_python, python_image_suffices, python_images_for
from stagecraft.sandbox.deps_store import DepsStore, dependency_key
from stagecraft.sandbox.images import PYTHON_IMAGES, image_tag

__all__ = ["DependencyFailure", "DependencySettings", "Prepared", "prepare_dependencies"]

Log = Callable[[str], None]


class Prepared(msgspec.Struct, frozen=True, kw_only=True):
    tree: Path | None  # None: the runtime image has everything the project declares
    cached: bool
    seconds: float
    summary: str  # "cached", "installed in 4.2 s", "nothing to install", with the Python when not the newest
    image: str = ""  # the runtime image to run the app in, when not the runtime's own (e.g. "python311")


def prepare_dependencies(
    runtime: str, project_dir: Path, settings: DependencySettings, *, client, log: Log = lambda line: None
) -> Prepared:
    """Make the project's declared dependencies ready for its job (blocking)."""
    started = time.monotonic()
    try:
        declared = read_python(project_dir) if runtime == "python" else read_node(project_dir)
    except DependencyError as exc:
        raise DependencyFailure(str(exc)) from None
    if declared is None:
        return Prepared(tree=None, cached=False, seconds=0.0, summary="nothing to install")
    store = DepsStore(settings.store_dir, settings.max_store_bytes)
    if isinstance(declared, NodeDeclared):
        return _prepare_node_project(declared, project_dir, settings, client, store, log, started)
    return _prepare_python_project(declared, project_dir, settings, client, store, log, started)


def _prepare_node_project(declared, project_dir, settings, client, store, log, started) -> Prepared:
    check_engines(declared)
    if not declared.dependencies or (
        not declared.has_lock and node_image_suffices(declared, node_image_versions(settings.store_dir, client))
    ):
        return Prepared(tree=None, cached=False, seconds=0.0, summary="nothing to install")
    key = dependency_key("node", image_tag("node"), _key_files("node", project_dir, declared))
    tree = store.get(key)
    if tree is not None:
        return Prepared(tree=tree, cached=True, seconds=time.monotonic() - started, summary="cached")
    scratch = store.scratch()
    try:
        tree = store.put(key, prepare_node(declared, project_dir, scratch, settings, client, log), runtime="node",
                         summary=_summary(declared))  # fmt: skip
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    seconds = time.monotonic() - started
    return Prepared(tree=tree, cached=False, seconds=seconds, summary=f"installed in {seconds:.1f} s")


def _prepare_python_project(declared, project_dir, settings, client, store, log, started) -> Prepared:
    images = python_images_for(declared)
    if images[0] == "python" and python_image_suffices(declared, "python"):
        return Prepared(tree=None, cached=False, seconds=0.0, summary="nothing to install")
    files = _key_files("python", project_dir, declared)
    keys = {image: dependency_key("python", image_tag(image), files) for image in images}
    for image in images:  # a tree built earlier, for whichever Python it was built for
        tree = store.get(keys[image])
        if tree is not None:
            return Prepared(tree=tree, cached=True, seconds=time.monotonic() - started,
                            summary=f"cached{_python_note(image)}", image=_image_field(image))  # fmt: skip
    first: NoWheel | None = None
    # Wheels only, newest Python first; then, if no Python has wheels for everything, the newest
    # again with packages built from source (python-build has the current runtime's Python).
    attempts = [(image, False) for image in images] + ([("python", True)] if images[0] == "python" else [])
    for image, from_source in attempts:
        scratch = store.scratch()
        try:
            built = prepare_python(
                declared, project_dir, image, scratch, settings, client, log, from_source=from_source
            )
            tree = store.put(keys[image], built, runtime="python", summary=_summary(declared))
        except NoWheel as exc:
            first = first or exc  # another Python may have a wheel; if none has, the newest's reason
            continue
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        seconds = time.monotonic() - started
        why = f", since {first.requirement} has no wheel for Python {PYTHON_IMAGES[images[0]]}" if first else ""
        why = ", some packages built from source" if from_source else why
        summary = f"installed in {seconds:.1f} s{_python_note(image)}{why}"
        return Prepared(tree=tree, cached=False, seconds=seconds, summary=summary, image=_image_field(image))
    assert first is not None
    raise first


def _python_note(image: str) -> str:
    return "" if image == "python" else f", for Python {PYTHON_IMAGES[image]}"


def _image_field(image: str) -> str:
    return "" if image == "python" else image


def _key_files(runtime: str, project_dir: Path, declared: PythonDeclared | NodeDeclared) -> list[tuple[str, bytes]]:
    files = input_files(runtime, project_dir)
    if isinstance(declared, PythonDeclared) and installs_itself(declared):
        # The project itself is installed into the tree: all of it is an input.
        files = [p for p in project_dir.rglob("*") if p.is_file() and not p.is_symlink()]
    return [(p.relative_to(project_dir).as_posix(), p.read_bytes()) for p in files]


def _summary(declared: PythonDeclared | NodeDeclared) -> str:
    if isinstance(declared, PythonDeclared):
        return ", ".join(declared.requirements) + (" + the project itself" if declared.installable_project else "")
    return ", ".join(f"{name}@{spec}" for name, spec in sorted(declared.dependencies.items()))
