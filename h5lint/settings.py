"""Configuration: packaged defaults < ``[tool.h5lint]`` (or ``h5lint.toml``) < command-line flags.

Every source gives a partial mapping of the same keys; :func:`resolve` merges them and validates the
result against the rule catalog, so an unknown key, rule or option is an error that names it. Path
patterns (``exclude``, ``extend-exclude``, ``per-file-ignores``) are gitignore-style, matched against
paths relative to the project root (the config file's folder): ``**`` crosses folders, ``*`` does not.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pathspec import GitIgnoreSpec

from .catalog import RuleSpec, load_catalog
from .findings import Severity
from .keras.versions import Target, TargetError, parse_target
from .project import ConfigError, Project

KEYS = {
    "select": "rules to run: codes, code prefixes (H5L1), names, or ALL",
    "ignore": "rules never to run (same forms as select); wins over select",
    "extend-select": "rules to add to the selection",
    "severity": "per-rule severity override: {CODE-or-name = 'error'|'warning'|'info'}",
    "per-file-ignores": "{glob = [rules]}: rules to ignore on artifacts whose path matches the glob",
    "exclude": "gitignore-style patterns of paths never scanned (replaces the default list)",
    "extend-exclude": "patterns to exclude on top of the default list",
    "force-exclude": "apply exclude also to paths named on the command line (as pre-commit passes them)",
    "skip-non-models": "skip named files that reading shows are not models, as the walk does (pre-commit names every .h5)",
    "respect-gitignore": "skip what .gitignore files ignore (default true)",
    "rule-options": "{CODE-or-name = {option = value}}: rule options (see h5lint explain CODE)",
    "target": "runtime the models must load in, e.g. 'keras>=3', 'tf-keras==2.15', 'keras==3.8; python==3.11'",
    "custom-objects": "names of custom objects the project registers itself (silences H5L301)",
    "fail-on": "lowest severity that makes the exit status 1: error, warning or info",
}

# Folders never worth walking into (as ruff's defaults, plus h5lint's own cache).
DEFAULT_EXCLUDE = (
    ".bzr", ".direnv", ".eggs", ".git", ".git-rewrite", ".h5lint_cache", ".hg", ".ipynb_checkpoints",
    ".mypy_cache", ".nox", ".pants.d", ".pyenv", ".pytest_cache", ".pytype", ".ruff_cache", ".svn", ".tox",
    ".venv", ".vscode", "__pycache__", "__pypackages__", "_build", "buck-out", "build", "dist",
    "node_modules", "site-packages", "venv",
)

_TYPES = {
    "bool": bool,
    "int": int,
    "float": (int, float),
    "str": str,
}


@dataclass(frozen=True)
class PathPatterns:
    """gitignore-style patterns, kept as written (settings must pickle into worker processes)."""

    patterns: tuple[str, ...] = ()

    def matches(self, relative: str, is_dir: bool = False) -> bool:
        """Whether a root-relative POSIX path (or one of its folders) matches."""
        if not self.patterns or relative.startswith("/"):
            return False  # outside the project: its patterns say nothing about it
        return _spec(self.patterns).match_file(relative + ("/" if is_dir else ""))


_SPECS: dict[tuple[str, ...], GitIgnoreSpec] = {}


def _spec(patterns: tuple[str, ...]) -> GitIgnoreSpec:
    if patterns not in _SPECS:
        _SPECS[patterns] = GitIgnoreSpec.from_lines(patterns)
    return _SPECS[patterns]


@dataclass(frozen=True)
class Settings:
    enabled: tuple[str, ...]  # rule codes to run, sorted
    severity: Mapping[str, Severity] = field(default_factory=dict)
    options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    per_file_ignores: tuple[tuple[PathPatterns, frozenset[str]], ...] = ()
    exclude: PathPatterns = PathPatterns(DEFAULT_EXCLUDE)
    force_exclude: bool = False
    # Named files that reading shows are not models (HDF5 data sets ...) skipped, not H5L001: the pre-commit
    # hook names every file matching its patterns, and data files share the model extensions.
    skip_non_models: bool = False
    respect_gitignore: bool = True
    target: Target | None = None
    custom_objects: frozenset[str] = frozenset()
    fail_on: Severity = Severity.WARNING
    source: str | None = None  # the config file used, for messages

    def severity_of(self, spec: RuleSpec) -> Severity:
        return self.severity.get(spec.code, spec.severity)

    def ignored_for(self, relative: str) -> frozenset[str]:
        """Rules per-file-ignores turns off for the artifact at this root-relative path."""
        codes: set[str] = set()
        for patterns, rules in self.per_file_ignores:
            if patterns.matches(relative):
                codes |= rules
        return frozenset(codes)


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

    per_file: list[tuple[PathPatterns, frozenset[str]]] = []
    for glob, rules in dict(merged.get("per-file-ignores", {})).items():
        codes: set[str] = set()
        for sel in _str_list(rules, f"{where}: per-file-ignores.{glob}"):
            codes |= _rule_codes(sel, catalog, f"{where}: per-file-ignores.{glob}")
        per_file.append((_patterns([glob], f"{where}: per-file-ignores"), frozenset(codes)))
    exclude = _str_list(merged.get("exclude", list(DEFAULT_EXCLUDE)), f"{where}: exclude")
    exclude += _str_list(merged.get("extend-exclude", []), f"{where}: extend-exclude")

    target = merged.get("target")
    return Settings(
        enabled=tuple(sorted(selected)),
        severity=severity,
        options=options,
        per_file_ignores=tuple(per_file),
        exclude=_patterns(exclude, f"{where}: exclude"),
        force_exclude=_bool(merged.get("force-exclude", False), f"{where}: force-exclude"),
        skip_non_models=_bool(merged.get("skip-non-models", False), f"{where}: skip-non-models"),
        respect_gitignore=_bool(merged.get("respect-gitignore", True), f"{where}: respect-gitignore"),
        target=_target(str(target), f"{where}: target") if target else None,
        custom_objects=frozenset(_str_list(merged.get("custom-objects", []), f"{where}: custom-objects")),
        fail_on=_severity(merged.get("fail-on", "warning"), f"{where}: fail-on"),
        source=source,
    )


def _patterns(patterns: list[str], where: str) -> PathPatterns:
    try:
        GitIgnoreSpec.from_lines(patterns)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{where}: {exc}") from None
    return PathPatterns(tuple(patterns))


def _bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: expected true or false, got {value!r}")
    return value


def settings_for(project: Project, cli: Mapping[str, Any]) -> Settings:
    """Settings for a run: the project's configuration, overridden by the command line."""
    source = str(project.config_file) if project.config_file else None
    return resolve(project.config, cli, source)
