"""PEP 508 requirement strings as learners write them: validated, and collected without duplicates."""

from __future__ import annotations

import re

from packaging.requirements import InvalidRequirement, Requirement

from stagecraft.dependencies import DependencyError

URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://|file:|[A-Za-z]:[\\/])")  # https://, git+ssh://, C:\\
_ARCHIVE = re.compile(r"\.(whl|zip|tar|tar\.gz|tgz|tar\.bz2|tbz|tar\.xz|txz)$", re.IGNORECASE)


def normalise_python_name(name: str) -> str:
    """PEP 503: ``Flask_SQLAlchemy`` and ``flask.sqlalchemy`` are both ``flask-sqlalchemy``."""
    return re.sub(r"[-_.]+", "-", name).lower()


REQUIREMENT_ADVICE = "write a package name with an optional version, such as flask==3.0.3 or requests>=2.31"


def check_requirement(text: str, where: str, advice: str = REQUIREMENT_ADVICE) -> Requirement:
    try:
        return Requirement(text)
    except InvalidRequirement as exc:
        reason = str(exc).splitlines()[0] if str(exc) else "not PEP 508"
        raise DependencyError(f"{where}: {text!r} is not a valid requirement ({reason}); {advice}") from None


def looks_like_location(text: str) -> bool:
    """A URL, VCS link, local path or archive rather than a package name (pip installs these without an index)."""
    head = text.split(";", 1)[0].strip()
    if URL.match(head) or head.startswith((".", "/", "\\", "~")):
        return True
    return "/" in head.split("@", 1)[0] or "\\" in head or bool(_ARCHIVE.search(head))


def requirement_key(requirement: Requirement) -> tuple[str, ...]:
    extras = ",".join(sorted(normalise_python_name(extra) for extra in requirement.extras))
    marker = str(requirement.marker) if requirement.marker else ""
    return normalise_python_name(requirement.name), extras, str(requirement.specifier), marker


class Collected:
    """Requirement strings in first-seen order, without repeats; the lines nothing can install offline."""

    def __init__(self, advice: str = REQUIREMENT_ADVICE) -> None:
        self.requirements: list[str] = []
        self.unsupported: list[str] = []
        self._keys: set[tuple[str, ...]] = set()
        self._advice = advice  # what to do about an invalid requirement

    def add(self, text: str, where: str, line: str | None = None) -> None:
        if looks_like_location(text):
            self.add_unsupported(line or text)
            return
        requirement = check_requirement(text, where, self._advice)
        if requirement.url:
            self.add_unsupported(line or text)
        elif (key := requirement_key(requirement)) not in self._keys:
            self._keys.add(key)
            self.requirements.append(text)

    def add_unsupported(self, line: str) -> None:
        if line not in self.unsupported:
            self.unsupported.append(line)
