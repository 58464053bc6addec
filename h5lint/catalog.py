"""The rule catalog: every rule's code, name, severity, options and docs, read from ``rules/``.

The catalog is data (one TOML file per rule under ``rules/catalog/``), validated against
``rules/catalog.schema.json`` when loaded. It is the single source for ``h5lint rules``,
``h5lint explain``, the README rule table and the SARIF rule metadata.

Validation needs jsonschema, whose import costs more than the rest of a one-file run's start-up, so
a catalog that passed it leaves a stamp in the user's cache folder named by a hash of h5lint's
version and the exact bytes of the schema and every rule file; a run that finds its stamp skips the
validator, and any edit to the catalog changes the hash and validates again.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from . import __version__
from .findings import Severity

DATA_PACKAGE = "h5lint.ruledata"


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

    def default_options(self) -> dict[str, Any]:
        return {o.name: o.default for o in self.options}


class CatalogError(Exception):
    pass


def _example(raw: Mapping[str, Any]) -> Example:
    return Example(raw["description"], raw.get("code"), raw.get("case"), tuple(raw.get("expect", ())))


def _spec(raw: Mapping[str, Any]) -> RuleSpec:
    docs = raw["docs"]
    return RuleSpec(
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
    )


def _validated_stamp(schema: bytes, files: list[tuple[str, bytes]]) -> Path | None:
    """Where the stamp of this exact catalog lives (None when there is no home or cache folder)."""
    digest = hashlib.sha256(__version__.encode())
    for name, data in (("catalog.schema.json", schema), *files):
        digest.update(f"\0{name}\0{len(data)}\0".encode("utf-8", "surrogatepass"))
        digest.update(data)
    try:
        cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    except RuntimeError:  # no home directory to be found
        return None
    return cache / "h5lint" / f"catalog-{digest.hexdigest()[:32]}.validated"


def _leave_stamp(stamp: Path) -> None:
    try:
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.touch()
    except OSError:  # a read-only home only costs the next run the validation
        pass


@functools.lru_cache(maxsize=1)
def load_catalog() -> Mapping[str, RuleSpec]:
    """All rules by code, sorted by code. Raises CatalogError naming the file that is wrong."""
    root = resources.files(DATA_PACKAGE)
    schema = (root / "catalog.schema.json").read_bytes()
    files = sorted(
        ((entry.name, entry.read_bytes()) for entry in (root / "catalog").iterdir() if entry.name.endswith(".toml")),
        key=lambda item: item[0],
    )
    stamp = _validated_stamp(schema, files)
    validator = None
    if stamp is None or not stamp.is_file():
        import jsonschema  # only needed here, and only until this catalog has passed it once

        validator = jsonschema.Draft202012Validator(json.loads(schema))
    specs: dict[str, RuleSpec] = {}
    names: set[str] = set()
    for file_name, data in files:
        try:
            raw = tomllib.loads(data.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise CatalogError(f"rules/catalog/{file_name}: invalid TOML: {exc}") from None
        errors = sorted(validator.iter_errors(raw), key=lambda e: list(e.path)) if validator else []
        if errors:
            where = "/".join(str(p) for p in errors[0].path) or "(top level)"
            raise CatalogError(f"rules/catalog/{file_name}: {where}: {errors[0].message}")
        spec = _spec(raw)
        if file_name != f"{spec.code}.toml":
            raise CatalogError(f"rules/catalog/{file_name}: file name must be {spec.code}.toml")
        if spec.name in names:
            raise CatalogError(f"rules/catalog/{file_name}: rule name {spec.name!r} is used twice")
        names.add(spec.name)
        specs[spec.code] = spec
    if validator is not None and stamp is not None:
        _leave_stamp(stamp)
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


@functools.lru_cache(maxsize=None)
def knowledge(table: str) -> Mapping[str, Any]:
    """A knowledge table from ``rules/knowledge/<table>.toml`` (or ``.json``)."""
    root = resources.files(DATA_PACKAGE) / "knowledge"
    toml_file = root / f"{table}.toml"
    if toml_file.is_file():
        return tomllib.loads(toml_file.read_text(encoding="utf-8"))
    return json.loads((root / f"{table}.json").read_text(encoding="utf-8"))
