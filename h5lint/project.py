"""The project that runs h5lint: its root folder and its configuration.

Configuration comes from the project doing the scanning, never from the content being scanned: the
nearest ``h5lint.toml``, ``.h5lint.toml`` or ``pyproject.toml`` with ``[tool.h5lint]`` from the working
directory upward, or the file ``--config`` names. A model folder downloaded from a hub may carry a
config of its own; scanned, it is just another file. The root is the config file's folder, else the git
root around the working directory, else the working directory; every path in every report is relative
to it, so findings keep their identity whatever folder h5lint runs from.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CONFIG_FILES = ("h5lint.toml", ".h5lint.toml")
PYPROJECT = "pyproject.toml"


class ConfigError(Exception):
    """A configuration problem; the message names the source and the key."""


@dataclass(frozen=True)
class Project:
    root: Path  # absolute, symlinks resolved
    config_file: Path | None = None
    config: Mapping[str, Any] = field(default_factory=dict)  # the [tool.h5lint] table

    def relative(self, path: str | Path) -> str:
        """``path`` as reports name it: relative to the root (POSIX), or absolute when outside it."""
        absolute = Path(os.path.abspath(path))
        try:
            return absolute.relative_to(self.root).as_posix() or "."
        except ValueError:
            real = Path(os.path.realpath(path))
            try:  # the root itself may be reached through a symlink
                return real.relative_to(self.root).as_posix() or "."
            except ValueError:
                return absolute.as_posix()


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the configuration file: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None


def read_config_file(path: Path) -> Mapping[str, Any]:
    data = _read_toml(path)
    if path.name == PYPROJECT:
        return data.get("tool", {}).get("h5lint", {})
    return data


def find_config(start: Path) -> tuple[Path, Mapping[str, Any]] | None:
    """The nearest ``h5lint.toml``, ``.h5lint.toml`` or ``pyproject.toml`` with ``[tool.h5lint]``."""
    here = start.resolve()
    for folder in (here, *here.parents):
        for name in CONFIG_FILES:
            candidate = folder / name
            if candidate.is_file():
                return candidate, _read_toml(candidate)
        pyproject = folder / PYPROJECT
        if pyproject.is_file():
            section = _read_toml(pyproject).get("tool", {}).get("h5lint")
            if section is not None:
                return pyproject, section
    return None


def git_root(start: Path) -> Path | None:
    here = start.resolve()
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder
    return None


def find_project(config_file: str | None = None, cwd: Path | None = None) -> Project:
    """The project of a run: ``--config`` if given, else what the working directory lies in."""
    cwd = (cwd or Path.cwd()).resolve()
    if config_file:
        path = Path(config_file)
        if not path.is_file():
            raise ConfigError(f"{config_file}: configuration file not found")
        return Project(path.resolve().parent, path, read_config_file(path))
    found = find_config(cwd)
    if found is not None:
        return Project(found[0].resolve().parent, found[0], found[1])
    return Project(git_root(cwd) or cwd)
