"""Machine-readable output: one JSON document, described by ``h5lint/schemas/report.schema.json``.

Compatibility: within a ``schema_version`` major version keys are only ever added (the minor
version goes up), never renamed, removed or retyped; every documented key is always present
(``null`` when unknown). Order is deterministic: artifacts and findings in report order, keys in
a fixed order.
"""

from __future__ import annotations

import json
from typing import Any

from .. import __version__
from ..findings import ArtifactReport, Finding, Report
from . import RenderOptions
from ._describe import load_document, severity_counts, unreadable_messages, version_tags

SCHEMA_VERSION = "1.1"


def _artifact(artifact: ArtifactReport) -> dict[str, Any]:
    tags = version_tags(artifact)
    return {
        "path": artifact.path,
        "readable": artifact.readable,
        "format": tags.pop("format"),
        "layout": tags.pop("layout"),
        "versions": tags,
        "finding_count": len(artifact.findings),
        "load": load_document(artifact.load) if artifact.load is not None else None,
    }


def _finding(finding: Finding) -> dict[str, Any]:
    return {
        "code": finding.code,
        "name": finding.name,
        "severity": finding.severity.value,
        "message": finding.message,
        "path": finding.path,
        "location": finding.location,
        "fix": finding.fix,
        "fingerprint": finding.fingerprint,
    }


def document(report: Report) -> dict[str, Any]:
    unreadable = [a for a in report.artifacts if not a.readable]
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "h5lint", "version": report.tool_version or __version__},
        "summary": {
            "artifacts": len(report.artifacts),
            "unreadable": len(unreadable),
            "findings": len(report.findings),
            "by_severity": severity_counts(report),
            "hidden_by_baseline": report.hidden_by_baseline,
        },
        "rules_run": list(report.rules_run),
        "artifacts": [_artifact(a) for a in report.artifacts],
        "findings": [_finding(f) for f in report.findings],
        "unreadable": [{"path": a.path, "messages": list(unreadable_messages(a))} for a in unreadable],
    }


def render(report: Report, options: RenderOptions) -> str:
    return json.dumps(document(report), indent=2, ensure_ascii=False) + "\n"
