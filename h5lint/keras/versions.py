"""Keras lines and versions: which line wrote a file, which line a target runtime loads with.

The one place that knows how Keras 1, standalone Keras 2, tf.keras, tf-keras and Keras 3 are told
apart by a recorded version, and how a target runtime such as ``keras>=3``, ``tf-keras==2.15`` or
``tensorflow<2.16`` maps to one of them. Specifiers are parsed with ``packaging``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from packaging.specifiers import InvalidSpecifier, Specifier
from packaging.version import InvalidVersion, Version

# Keras lines, oldest first. "tensorflow" (no Keras) and "tfjs-converter" are writers too, not lines.
KERAS_1 = "keras-1"
KERAS_2 = "keras-2"  # standalone Keras 2.0-2.3
TF_KERAS = "tf.keras"  # tf.keras inside TensorFlow 1.x and 2.0-2.15 (keras 2.4-2.15 packages it)
TF_KERAS_PACKAGE = "tf-keras"  # the tf-keras package, 2.16 and later
KERAS_3 = "keras-3"
KERAS_LINES = (KERAS_1, KERAS_2, TF_KERAS, TF_KERAS_PACKAGE, KERAS_3)

# TF 2.16 made tf.keras Keras 3; the keras package 2.0-2.3 was standalone Keras.
TF_WITH_KERAS_3 = Version("2.16")
LAST_STANDALONE_KERAS_2 = Version("2.3")
LAST_TF_KERAS = Version("2.15")

_NUMBER = re.compile(r"^\s*v?(\d+(?:\.\d+)*)")


def version_tuple(text: str | None) -> tuple[int, ...] | None:
    """``(2, 2, 4)`` for ``"2.2.4-tf"``, ``(3, 15, 1)`` for ``"3.15.1"``; None when there is no number."""
    match = _NUMBER.match(text or "")
    if not match or len(match.group(1)) > 64:  # a recorded version is untrusted text
        return None
    return tuple(int(part) for part in match.group(1).split("."))


def version_text(version: tuple[int, ...]) -> str:
    return ".".join(str(part) for part in version)


def keras_major(version: str | None) -> int | None:
    """Major version of a Keras version string such as ``2.2.4-tf`` or ``3.15.1``."""
    parsed = version_tuple(version)
    return parsed[0] if parsed else None


def writer_for(keras_version: str | None) -> str | None:
    """The Keras line that records ``keras_version``: one of :data:`KERAS_LINES`, None when unknown."""
    parsed = version_tuple(keras_version)
    if parsed is None:
        return None
    major = parsed[0]
    if major == 1:
        return KERAS_1
    if major >= 3:
        return KERAS_3
    if major != 2:
        return None
    if (keras_version or "").endswith("-tf"):
        return TF_KERAS  # tf.keras of TF 1.x-2.3 marked itself "2.x.y-tf"
    minor = parsed[1] if len(parsed) > 1 else 0
    if minor <= 3:
        return KERAS_2
    if minor <= 15:
        return TF_KERAS
    return TF_KERAS_PACKAGE


# ---------------------------------------------------------------------------------------------- targets
class TargetError(ValueError):
    """A target runtime h5lint cannot understand; the message says what it accepts."""


# Package names a target may use, normalised as pip does, and the runtime each stands for.
_PACKAGES = {
    "keras": "keras",
    "tf-keras": "tf-keras",
    "tf.keras": "tf.keras",
    "tensorflow": "tensorflow",
    "tensorflow-cpu": "tensorflow",
    "tensorflow-gpu": "tensorflow",
    "tensorflow-macos": "tensorflow",
    "tensorflow-intel": "tensorflow",
    "tf-nightly": "tensorflow",
}
_TARGET = re.compile(r"^\s*([A-Za-z][A-Za-z0-9._-]*)\s*(.*?)\s*$")
_EXAMPLES = "e.g. 'keras>=3', 'keras==3.8', 'tf-keras==2.15', 'tensorflow-cpu==2.15'"


@dataclass(frozen=True)
class Target:
    """The runtime a model will be loaded with (``target = "keras>=3"``)."""

    package: str  # "keras", "tf-keras", "tf.keras" or "tensorflow"
    spec: str  # the version specifier, normalised: ">=3", "==2.15", "" for any version
    line: str  # the Keras line that loads models in this runtime (one of KERAS_LINES)

    def __str__(self) -> str:
        return f"{self.package}{self.spec}"

    @property
    def keras_major(self) -> int:
        return {KERAS_1: 1, KERAS_3: 3}.get(self.line, 2)

    def is_newer_than_allowed(self, version: tuple[int, ...]) -> bool:
        """True if ``version`` is above every version the target allows."""
        return any(_above(version, clause) for clause in _clauses(self.spec))

    @property
    def newest_allowed(self) -> str | None:
        """The upper bound the target sets, as written (``"<2.16"``, ``"==2.15"``), None when it sets none."""
        uppers = [c for c in _clauses(self.spec) if c.operator in ("==", "===", "<", "<=", "~=")]
        return ",".join(str(c) for c in uppers) or None

    def allows_some(self, low: tuple[int, ...], high: tuple[int, ...] | None) -> bool:
        """Whether a release in ``[low, high)`` (``high`` None: no end) meets the spec; ``!=`` is ignored.

        Versions are compared as releases of three numbers, so ``==3.13`` allows 3.13.0 up to 3.14.0.
        """
        floor, ceiling = (0, 0, 0), None
        for clause in _clauses(self.spec):
            bound = _padded(_release(clause.version), 3)
            floor = max(floor, _lowest(clause, bound))
            top = _ceiling(clause)
            ceiling = top if ceiling is None or top is None else min(ceiling, top)
        start = max(floor, _padded(low, 3))
        ends = [_padded(end, 3) for end in (ceiling, high) if end is not None]
        return not ends or start < min(ends)


def _clauses(spec: str) -> tuple[Specifier, ...]:
    return tuple(Specifier(part) for part in spec.split(",") if part)


def _release(text: str) -> tuple[int, ...]:
    return Version(text.removesuffix(".*")).release


def _padded(version: tuple[int, ...], length: int) -> tuple[int, ...]:
    return version[:length] + (0,) * max(0, length - len(version))


def _above(version: tuple[int, ...], clause: Specifier) -> bool:
    """True if ``version`` is too new for ``clause`` (lower bounds never say so).

    ``==2.15`` allows every 2.15.x, as pip's ``==2.15.*`` would: a release is never "2.15" exactly.
    """
    op = clause.operator
    bound = _release(clause.version)
    if op in ("==", "===", "<="):
        return version[: len(bound)] > bound
    if op == "<":
        return _padded(version, len(bound)) >= bound
    if op == "~=" and len(bound) > 1:
        ceiling = bound[:-2] + (bound[-2] + 1,)
        return version[: len(ceiling)] >= ceiling
    return False


def _lowest(clause: Specifier, bound: tuple[int, ...]) -> tuple[int, ...]:
    """The first release ``clause`` allows (``>3.13.1`` -> 3.13.2); (0, 0, 0) for clauses without a floor."""
    if clause.operator == ">":
        return bound[:-1] + (bound[-1] + 1,)
    return bound if clause.operator in (">=", "==", "===", "~=") else (0, 0, 0)


def _ceiling(clause: Specifier) -> tuple[int, ...] | None:
    """The first release above what ``clause`` allows (the end of its range), None when it sets no top.

    Written like :func:`_above`: ``==3.13``/``<=3.13`` end at 3.14, ``~=3.13.1`` at 3.14, ``<3.13.2`` at 3.13.2.
    """
    op = clause.operator
    bound = _release(clause.version)
    if op in ("==", "===", "<="):
        return _padded(bound[:-1] + (bound[-1] + 1,), 3)
    if op == "<":
        return _padded(bound, 3)
    if op == "~=" and len(bound) > 1:
        return _padded(bound[:-2] + (bound[-2] + 1,), 3)
    return None


def _newest_in(spec: str) -> Version | None:
    """A version that stands for the newest release the spec allows, for telling lines apart."""
    newest = None
    for clause in _clauses(spec):
        bound = Version(clause.version.removesuffix(".*"))
        if clause.operator == "<":
            # "<3", "<2.16" bound the newest release from above: the release just below the bound.
            parts = list(bound.release)
            if len(parts) == 1 or not any(parts[1:]):
                parts = [parts[0] - 1, 99]
            else:
                parts = parts[:-1] + [parts[-1] - 1]
            bound = Version(version_text(tuple(parts)))
        elif clause.operator in (">", ">=", "!="):
            continue
        newest = bound if newest is None else min(newest, bound)
    return newest


def _lowest_in(spec: str) -> Version | None:
    lows = [Version(c.version.removesuffix(".*")) for c in _clauses(spec) if c.operator in (">", ">=")]
    return max(lows) if lows else None


def _line(package: str, spec: str) -> str:
    if package == "tf-keras":
        return TF_KERAS_PACKAGE
    if package == "tf.keras":
        return TF_KERAS
    version = _newest_in(spec) or _lowest_in(spec)
    if package == "tensorflow":
        return KERAS_3 if version is None or version >= TF_WITH_KERAS_3 else TF_KERAS
    if version is None or version.major >= 3:
        return KERAS_3
    if version.major == 1:
        return KERAS_1
    return KERAS_2 if version <= Version("2.3.99") else TF_KERAS


def parse_target(text: str) -> Target:
    """A target runtime from what people write: ``keras>=3``, ``Keras==3.8``, ``tensorflow-cpu==2.15``,
    ``tf_keras``; raises :class:`TargetError` for anything else."""
    match = _TARGET.match(text or "")
    name = re.sub(r"[-_]+", "-", match.group(1).lower()) if match else ""
    package = _PACKAGES.get(name)
    if match is None or package is None:
        raise TargetError(f"{text!r} is not a runtime h5lint knows; use {_EXAMPLES}")
    spec = match.group(2).replace(" ", "")
    try:
        for clause in _clauses(spec):
            Version(clause.version.removesuffix(".*"))
    except (InvalidSpecifier, InvalidVersion):
        raise TargetError(f"{text!r}: {spec!r} is not a version specifier; use {_EXAMPLES}") from None
    return Target(package=package, spec=spec, line=_line(package, spec))


# Without a configured target, version rules judge against what `pip install tensorflow` gives today.
DEFAULT_TARGET = parse_target("keras>=3")


def writer_line(writer: str | None) -> str | None:
    """The Keras line a recorded writer belongs to, None for writers that are not a Keras line."""
    return writer if writer in KERAS_LINES else None
