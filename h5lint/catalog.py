"""The rule catalog: every rule's code, name, severity, options, docs and samples, read from ``rules/``.

Each rule folder ``rules/<CODE>_<name>/`` holds a ``rule.toml``; the catalog is the single source for
``h5lint rules``, ``h5lint explain``, the README rule table and the SARIF rule metadata. The files are
validated against ``rules/catalog.schema.json`` by the test suite (tests/test_catalog.py), not at run
time: a run only checks what it relies on (folder name, unique codes and names).
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from .findings import Severity

RULES_PACKAGE = "h5lint.rules"
RULE_FILE = "rule.toml"
# Every rule.toml parsed once, in rules/ (see prebuilt_text).
PREBUILT = "prebuilt_catalog.json"
_FOLDER = re.compile(r"^H5L\d{3}_[a-z0-9_]+$")


@dataclass(frozen=True)
class OptionSpec:
    name: str
    type: str
    default: Any
    description: str


@dataclass(frozen=True)
class Example:
    description: str
    code: str | None
    case: str | None
    expect: tuple[str, ...]


@dataclass(frozen=True)
class RuleDocs:
    what: str
    why: str
    bad: Example
    good: Example
    fix: str
    references: tuple[str, ...]


@dataclass(frozen=True)
class RuleSpec:
    folder: str  # "H5L201_missing_final_activation", inside rules/
    code: str
    name: str
    severity: Severity
    category: str
    summary: str
    tags: tuple[str, ...]
    security_severity: str | None
    reads_weights: bool
    reads_hdf5_links: bool
    raised_by_parser: bool
    options: tuple[OptionSpec, ...]
    docs: RuleDocs
    # Samples in sample_models/ that show the rule: each positive with the negatives that match it.
    samples: Mapping[str, tuple[str, ...]]
    unsampled: str | None  # why no sample shows the rule

    def default_options(self) -> dict[str, Any]:
        return {o.name: o.default for o in self.options}


class CatalogError(Exception):
    pass


def _example(raw: Mapping[str, Any]) -> Example:
    return Example(raw["description"], raw.get("code"), raw.get("case"), tuple(raw.get("expect", ())))


def folder_name(code: str, name: str) -> str:
    return f"{code}_{name.replace('-', '_')}"


def _spec(folder: str, raw: Mapping[str, Any]) -> RuleSpec:
    docs = raw["docs"]
    samples = dict(raw.get("samples", {}))
    unsampled = samples.pop("unsampled", None)
    return RuleSpec(
        folder=folder,
        code=raw["code"],
        name=raw["name"],
        severity=Severity(raw["severity"]),
        category=raw["category"],
        summary=raw["summary"],
        tags=tuple(raw.get("tags", ())),
        security_severity=raw.get("security_severity"),
        reads_weights=bool(raw.get("reads_weights", False)),
        reads_hdf5_links=bool(raw.get("reads_hdf5_links", False)),
        raised_by_parser=bool(raw.get("raised_by_parser", False)),
        options=tuple(
            OptionSpec(name, o["type"], o["default"], o["description"])
            for name, o in sorted(raw.get("options", {}).items())
        ),
        docs=RuleDocs(
            what=docs["what"],
            why=docs["why"],
            bad=_example(docs["bad"]),
            good=_example(docs["good"]),
            fix=docs["fix"],
            references=tuple(docs.get("references", ())),
        ),
        samples={positive: tuple(negatives) for positive, negatives in samples.items()},
        unsampled=unsampled,
    )


def rule_files() -> list[tuple[str, bytes]]:
    """``(folder, rule.toml bytes)`` of every rule folder, sorted by folder."""
    root = resources.files(RULES_PACKAGE)
    found = []
    for entry in root.iterdir():
        if _FOLDER.match(entry.name) and (entry / RULE_FILE).is_file():
            found.append((entry.name, (entry / RULE_FILE).read_bytes()))
    return sorted(found)


def sources_digest(files: list[tuple[str, bytes]]) -> str:
    """What the prebuilt catalog was made from: every rule folder's name and rule.toml bytes."""
    digest = hashlib.sha256()
    for folder, data in files:
        digest.update(folder.encode() + b"\0" + data + b"\0")
    return digest.hexdigest()


def prebuilt_text(files: list[tuple[str, bytes]]) -> str:
    """The prebuilt catalog for ``files``: each rule.toml parsed, under the digest of their bytes.

    Written by ``pytest --update-snapshots`` (tests/test_catalog.py), read by every run instead of parsing
    the TOML files (pure Python: a tenth of a small file's start-up)."""
    rules = {folder: tomllib.loads(data.decode("utf-8")) for folder, data in files}
    # Not sorted: a table keeps the order its rule.toml gives (the samples of a rule are listed in it).
    return json.dumps({"sources": sources_digest(files), "rules": rules}, indent=1) + "\n"


def _raw_rules(files: list[tuple[str, bytes]]) -> dict[str, Any]:
    """Each folder's parsed rule.toml: from the prebuilt catalog when it was made from exactly these bytes
    (an edited rule.toml is read as it is now, never from a stale build)."""
    try:
        prebuilt = json.loads((resources.files(RULES_PACKAGE) / PREBUILT).read_bytes())
    except (OSError, ValueError):
        prebuilt = None
    if isinstance(prebuilt, dict) and prebuilt.get("sources") == sources_digest(files):
        return prebuilt["rules"]
    raw: dict[str, Any] = {}
    for folder, data in files:
        try:
            raw[folder] = tomllib.loads(data.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise CatalogError(f"rules/{folder}/{RULE_FILE}: invalid TOML: {exc}") from None
    return raw


@functools.lru_cache(maxsize=1)
def load_catalog() -> Mapping[str, RuleSpec]:
    """All rules by code, sorted by code. Raises CatalogError naming the file that is wrong."""
    specs: dict[str, RuleSpec] = {}
    names: set[str] = set()
    for folder, raw in _raw_rules(rule_files()).items():
        where = f"rules/{folder}/{RULE_FILE}"
        try:
            spec = _spec(folder, raw)
        except (KeyError, TypeError, ValueError) as exc:
            raise CatalogError(f"{where}: not a rule entry ({type(exc).__name__}: {exc}); see rules/catalog.schema.json") from None
        if folder != folder_name(spec.code, spec.name):
            raise CatalogError(f"{where}: the folder must be named {folder_name(spec.code, spec.name)}")
        if spec.code in specs or spec.name in names:
            raise CatalogError(f"{where}: rule code {spec.code} or name {spec.name!r} is used twice")
        names.add(spec.name)
        specs[spec.code] = spec
    return dict(sorted(specs.items()))


def find_rule(key: str) -> RuleSpec | None:
    """A rule by code (``H5L201``) or name (``missing-final-activation``), case-insensitive."""
    catalog = load_catalog()
    key_up = key.strip().upper()
    if key_up in catalog:
        return catalog[key_up]
    for spec in catalog.values():
        if spec.name == key.strip().lower():
            return spec
    return None
