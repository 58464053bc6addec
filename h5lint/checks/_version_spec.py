"""Version numbers and the specifiers of a configured target (``keras>=3``, ``tf-keras==2.15``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)*)")
_CLAUSE = re.compile(r"^(===|==|~=|!=|<=|>=|<|>)?\s*(\d+(?:\.\d+)*)(\.\*)?$")


def version_tuple(text: str | None) -> tuple[int, ...] | None:
    """``(2, 2, 4)`` for ``"2.2.4-tf"``, ``(3, 15, 1)`` for ``"3.15.1"``; None when there is no number."""
    match = _NUMBER.match(text or "")
    return tuple(int(part) for part in match.group(1).split(".")) if match else None


def version_text(version: tuple[int, ...]) -> str:
    return ".".join(str(part) for part in version)


def _padded(version: tuple[int, ...], length: int) -> tuple[int, ...]:
    return version[:length] + (0,) * max(0, length - len(version))


@dataclass(frozen=True)
class Clause:
    op: str  # "==", "<", "<=", ">", ">=", "~=", "!="
    version: tuple[int, ...]

    def is_newer(self, version: tuple[int, ...]) -> bool:
        """True if ``version`` is above what this clause allows (lower bounds never say so)."""
        bound = self.version
        if self.op in ("==", "==="):
            # "==2.15" allows every 2.15.x, as pip's "==2.15.*" would; a release is never "2.15" exactly.
            return version[: len(bound)] > bound
        if self.op == "<=":
            return version[: len(bound)] > bound
        if self.op == "<":
            return _padded(version, len(bound)) >= bound
        if self.op == "~=" and len(bound) > 1:
            ceiling = bound[:-2] + (bound[-2] + 1,)
            return version[: len(ceiling)] >= ceiling
        return False


def parse_spec(spec: str) -> tuple[Clause, ...]:
    """The clauses of ``">=2.12,<2.16"``; unparseable clauses are left out (they constrain nothing here)."""
    clauses = []
    for part in spec.split(","):
        match = _CLAUSE.match(part.strip())
        if match:
            op = match.group(1) or "=="
            version = tuple(int(p) for p in match.group(2).split("."))
            clauses.append(Clause(op, version))
    return tuple(clauses)


def newest_allowed(spec: str) -> str | None:
    """The upper bound a spec sets, as written (``"<2.16"``, ``"==2.15"``), or None when it sets none."""
    uppers = [c for c in parse_spec(spec) if c.op in ("==", "===", "<", "<=", "~=")]
    if not uppers:
        return None
    return ",".join(f"{c.op}{version_text(c.version)}" for c in uppers)


def is_newer_than(version: tuple[int, ...], spec: str) -> bool:
    """True if ``version`` is above every version the spec allows."""
    return any(clause.is_newer(version) for clause in parse_spec(spec))
