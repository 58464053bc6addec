"""Configuration: packaged defaults < ``[tool.h5lint]`` (or ``h5lint.toml``) < command-line flags.

Every source gives a partial mapping of the same keys; :func:`resolve` merges them and validates the
result against the rule catalog, so an unknown key, rule or option is an error that names it.
"""

from __future__ import annotations

import fnmatch
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from .catalog import RuleSpec, load_catalog
from .findings import Severity
from .keras.versions import Target, TargetError, parse_target


class ConfigError(Exception):
    """A configuration problem; the message names the source and the key."""


KEYS = {
    "select": "rules to run: codes, code prefixes (H5L1), names, or ALL",
    "ignore": "rules never to run (same forms as select); wins over select",
    "extend-select": "rules to add to the selection",
    "severity": "per-rule severity override: {CODE-or-name = 'error'|'warning'|'info'}",
    "per-file-ignores": "{glob = [rules]}: rules to ignore on artifacts whose path matches the glob",
    "exclude": "globs of paths never scanned",
    "rule-options": "{CODE-or-name = {option = value}}: rule options (see h5lint explain CODE)",
    "target": "runtime the models must load in, e.g. 'keras>=3', 'tf-keras==2.15', 'keras==3.8; python==3.11'",
    "custom-objects": "names of custom objects the project registers itself (silences H5L301)",
    "fail-on": "lowest severity that makes the exit status 1: error, warning or info",
}

_TYPES = {
    "bool": bool,
    "int": int,
    "float": (int, float),
    "str": str,
}


@dataclass(frozen=True)
class Settings:
    enabled: tuple[str, ...]  # rule codes to run, sorted
    severity: Mapping[str, Severity] = field(default_factory=dict)
    options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    per_file_ignores: tuple[tuple[str, frozenset[str]], ...] = ()
    exclude: tuple[str, ...] = ()
    target: Target | None = None
    custom_objects: frozenset[str] = frozenset()
    fail_on: Severity = Severity.WARNING
    source: str | None = None  # the config file used, for messages

    def severity_of(self, spec: RuleSpec) -> Severity:
        return self.severity.get(spec.code, spec.severity)

    def ignored_for(self, path: str) -> frozenset[str]:
        codes: set[str] = set()
        for glob, rules in self.per_file_ignores:
            if _path_matches(path, glob):
                codes |= rules
        return frozenset(codes)

    def is_excluded(self, path: str) -> bool:
        return any(_path_matches(path, glob) for glob in self.exclude)


def _path_matches(path: str, glob: str) -> bool:
    posix = Path(path).as_posix()
    return fnmatch.fnmatch(posix, glob) or fnmatch.fnmatch(Path(posix).name, glob) or fnmatch.fnmatch(
        posix, f"*/{glob}"
    )


def find_config(start: Path) -> tuple[Path, Mapping[str, Any]] | None:
    """The nearest ``h5lint.toml``, ``.h5lint.toml`` or ``pyproject.toml`` with ``[tool.h5lint]``."""
    here = start.resolve()
    if not here.is_dir():
        here = here.parent
    for folder in (here, *here.parents):
        for name in ("h5lint.toml", ".h5lint.toml"):
            candidate = folder / name
            if candidate.is_file():
                return candidate, _read_toml(candidate)
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            section = _read_toml(pyproject).get("tool", {}).get("h5lint")
            if section is not None:
                return pyproject, section
    return None


def read_config_file(path: Path) -> Mapping[str, Any]:
    data = _read_toml(path)
    if path.name == "pyproject.toml":
        return data.get("tool", {}).get("h5lint", {})
    return data


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the configuration file: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None


def _rule_codes(selector: str, catalog: Mapping[str, RuleSpec], where: str) -> set[str]:
    sel = selector.strip()
    if sel.upper() == "ALL":
        return set(catalog)
    codes = {code for code in catalog if code.startswith(sel.upper())} if sel.upper().startswith("H5L") else set()
    codes |= {spec.code for spec in catalog.values() if spec.name == sel.lower()}
    if not codes:
        raise ConfigError(f"{where}: {selector!r} matches no rule (see 'h5lint rules')")
    return codes


def _one_rule(key: str, catalog: Mapping[str, RuleSpec], where: str) -> RuleSpec:
    for spec in catalog.values():
        if key.upper() == spec.code or key.lower() == spec.name:
            return spec
    raise ConfigError(f"{where}: {key!r} is not a rule code or name (see 'h5lint rules')")


def _str_list(value: Any, where: str) -> list[str]:
    if isinstance(value, str):
        return [v for v in re.split(r"[,\s]+", value) if v]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    raise ConfigError(f"{where}: expected a list of strings, got {value!r}")


def _severity(value: Any, where: str) -> Severity:
    try:
        return Severity(str(value).lower())
    except ValueError:
        raise ConfigError(f"{where}: {value!r} is not one of error, warning, info") from None


def _check_option(spec: RuleSpec, name: str, value: Any, where: str) -> Any:
    known = {o.name: o for o in spec.options}
    if name not in known:
        names = ", ".join(known) or "none"
        raise ConfigError(f"{where}: rule {spec.code} has no option {name!r} (options: {names})")
    kind = known[name].type
    if kind == "list[str]":
        return _str_list(value, f"{where}.{name}")
    if isinstance(value, bool) and kind != "bool" or not isinstance(value, _TYPES[kind]):
        raise ConfigError(f"{where}.{name}: expected {kind}, got {value!r}")
    return value


def _target(text: str, where: str) -> Target:
    try:
        return parse_target(text)
    except TargetError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def resolve(
    file_config: Mapping[str, Any] | None = None,
    cli: Mapping[str, Any] | None = None,
    source: str | None = None,
) -> Settings:
    """Merge a config file's ``[tool.h5lint]`` table with CLI overrides (same keys, CLI wins)."""
    catalog = load_catalog()
    merged: dict[str, Any] = {}
    for origin, layer in ((source or "configuration", file_config or {}), ("command line", cli or {})):
        for key, value in layer.items():
            if key not in KEYS:
                raise ConfigError(f"{origin}: unknown key {key!r} (known: {', '.join(KEYS)})")
            if value is None:
                continue
            if key in ("severity", "rule-options", "per-file-ignores") and key in merged:
                merged[key] = {**merged[key], **value}
            else:
                merged[key] = value
    where = source or "configuration"

    selected: set[str] = set()
    for sel in _str_list(merged.get("select", ["ALL"]), f"{where}: select"):
        selected |= _rule_codes(sel, catalog, f"{where}: select")
    for sel in _str_list(merged.get("extend-select", []), f"{where}: extend-select"):
        selected |= _rule_codes(sel, catalog, f"{where}: extend-select")
    for sel in _str_list(merged.get("ignore", []), f"{where}: ignore"):
        selected -= _rule_codes(sel, catalog, f"{where}: ignore")

    severity: dict[str, Severity] = {}
    for key, value in dict(merged.get("severity", {})).items():
        spec = _one_rule(key, catalog, f"{where}: severity")
        severity[spec.code] = _severity(value, f"{where}: severity.{key}")

    options: dict[str, dict[str, Any]] = {code: spec.default_options() for code, spec in catalog.items()}
    for key, table in dict(merged.get("rule-options", {})).items():
        spec = _one_rule(key, catalog, f"{where}: rule-options")
        if not isinstance(table, Mapping):
            raise ConfigError(f"{where}: rule-options.{key} must be a table of option = value")
        for name, value in table.items():
            options[spec.code][name] = _check_option(spec, name, value, f"{where}: rule-options.{key}")

    per_file: list[tuple[str, frozenset[str]]] = []
    for glob, rules in dict(merged.get("per-file-ignores", {})).items():
        codes: set[str] = set()
        for sel in _str_list(rules, f"{where}: per-file-ignores.{glob}"):
            codes |= _rule_codes(sel, catalog, f"{where}: per-file-ignores.{glob}")
        per_file.append((glob, frozenset(codes)))

    target = merged.get("target")
    return Settings(
        enabled=tuple(sorted(selected)),
        severity=severity,
        options=options,
        per_file_ignores=tuple(per_file),
        exclude=tuple(_str_list(merged.get("exclude", []), f"{where}: exclude")),
        target=_target(str(target), f"{where}: target") if target else None,
        custom_objects=frozenset(_str_list(merged.get("custom-objects", []), f"{where}: custom-objects")),
        fail_on=_severity(merged.get("fail-on", "warning"), f"{where}: fail-on"),
        source=source,
    )


def settings_for(paths: Iterable[str], config_file: str | None, cli: Mapping[str, Any]) -> Settings:
    """Settings for a run: an explicit ``--config`` file, else the one nearest the first path."""
    if config_file:
        path = Path(config_file)
        if not path.is_file():
            raise ConfigError(f"{config_file}: configuration file not found")
        return resolve(read_config_file(path), cli, str(path))
    first = next(iter(paths), ".")
    found = find_config(Path(first))
    if found is None:
        return resolve(None, cli)
    return resolve(found[1], cli, str(found[0]))
