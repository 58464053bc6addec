"""Machine-readable output: one JSON document, described by ``h5lint/schemas/report.schema.json``.

Compatibility: within a ``schema_version`` major version keys are only ever added (the minor
version goes up), never renamed, removed or retyped; every documented key is always present
(``null`` when unknown); consumers ignore keys they do not know. Order is deterministic: artifacts
and findings in report order, keys in a fixed order. The document streams: artifacts are written as
they come, findings and unreadable entries are spooled to a temporary file and follow, and the
summary closes the document, so memory stays flat whatever the number of files.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from .. import __version__
from ..findings import ArtifactReport, Finding
from . import RenderOptions, RunInfo, Tally
from ._describe import load_document, severity_counts, unreadable_messages, version_tags
from ._lists import JsonList

SCHEMA_VERSION = "1.2"


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
        "bytes_fetched": artifact.bytes_fetched,
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


def _key(name: str, value: Any) -> str:
    return f'  "{name}": ' + json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n  ")


def stream(artifacts: Iterable[ArtifactReport], run: RunInfo, tally: Tally, options: RenderOptions) -> Iterator[str]:
    findings, unreadable, listed = JsonList(2), JsonList(2), JsonList(2)
    yield "{\n" + ",\n".join(
        (
            _key("schema_version", SCHEMA_VERSION),
            _key("tool", {"name": "h5lint", "version": run.tool_version or __version__}),
            _key("config", run.config),
            _key("rules_run", list(run.rules_run)),
        )
    )
    yield ',\n  "artifacts": ['
    for artifact in artifacts:
        yield listed.add(_artifact(artifact))
        for finding in artifact.findings:
            findings.spool(_finding(finding))
        if not artifact.readable:
            unreadable.spool({"path": artifact.path, "messages": list(unreadable_messages(artifact))})
    yield listed.close()
    yield ',\n  "findings": ['
    yield from findings.replay()
    yield ',\n  "unreadable": ['
    yield from unreadable.replay()
    summary = {
        "artifacts": tally.artifacts,
        "unreadable": tally.unreadable,
        "findings": tally.findings,
        "by_severity": severity_counts(tally),
        "hidden_by_baseline": tally.hidden_by_baseline,
        "skipped": tally.skipped_count,
        "remote_artifacts": tally.remote,
        "bytes_fetched": tally.bytes_fetched,
    }
    yield ",\n" + _key("summary", summary)
    if options.show_skipped:
        yield ",\n" + _key("skipped", [{"path": s.path, "reason": s.reason} for s in tally.skipped])
    yield "\n}\n"
