"""Human-readable output: one line per finding, grouped by artifact, then a summary."""

from __future__ import annotations

from collections import Counter

from ..findings import ArtifactReport, Report, Severity


def _header(artifact: ArtifactReport) -> str:
    v = artifact.versions
    tags = [artifact.format or "unreadable"]
    if v.keras_version:
        tags.append(f"keras {v.keras_version}")
    if v.backend:
        tags.append(f"backend {v.backend}")
    if v.tensorflow_version:
        tags.append(f"tensorflow {v.tensorflow_version}")
    return f"{artifact.path} ({', '.join(tags)})"


def render(report: Report, options) -> str:
    lines: list[str] = []
    for artifact in report.artifacts:
        if not options.quiet:
            lines.append(_header(artifact))
        for f in artifact.findings:
            where = f"{f.path}[{f.location}]" if f.location else f.path
            lines.append(f"{where}: {f.code} [{f.severity.value}] {f.message}")
    if not options.quiet:
        counts = Counter(f.severity for f in report.findings)
        parts = ", ".join(f"{counts[s]} {s.value}" for s in (Severity.ERROR, Severity.WARNING, Severity.INFO))
        lines.append(f"{len(report.artifacts)} artifacts, {len(report.findings)} findings ({parts})")
    return "\n".join(lines) + "\n"
