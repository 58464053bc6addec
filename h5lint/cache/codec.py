"""Results as JSON values and back, exactly: a report decoded from the cache is equal to the one encoded.

Strings are written with ``ensure_ascii`` so lone surrogates (file names that are not UTF-8) survive.
Anything that does not decode is a :class:`ValueError`, and the cache treats the entry as missing.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from ..findings import ArtifactReport, Finding, LoadCall, Severity, Skipped
from ..ir import VersionTags

Result = ArtifactReport | Skipped


def _plain(value: Any) -> Any:
    if isinstance(value, Severity):
        return value.value
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    return value


def encode(result: Result) -> dict[str, Any]:
    kind = "skipped" if isinstance(result, Skipped) else "report"
    return {"kind": kind, "value": _plain(result)}


def _tuples(data: dict[str, Any], cls: type) -> dict[str, Any]:
    """``data`` with JSON lists back as the tuples ``cls`` holds; unknown or missing keys are errors."""
    names = {f.name for f in fields(cls)}
    if set(data) != names:
        raise ValueError(f"{cls.__name__}: fields {sorted(set(data) ^ names)} differ")
    return {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}


def decode(data: Any) -> Result:
    try:
        value = data["value"]
        if data["kind"] == "skipped":
            return Skipped(**_tuples(value, Skipped))
        report = _tuples(value, ArtifactReport)
        findings = tuple(Finding(**{**f, "severity": Severity(f["severity"])}) for f in value["findings"])
        load = value["load"]
        return ArtifactReport(
            **{
                **report,
                "versions": VersionTags(**_tuples(value["versions"], VersionTags)),
                "findings": findings,
                "load": LoadCall(**_tuples(load, LoadCall)) if load is not None else None,
            }
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"not a cached result: {type(exc).__name__}: {exc}") from None
