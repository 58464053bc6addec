"""Human-readable output: a header per artifact, one line per finding with its fix hint, a summary.

::

    models/clf.h5 (h5-full, keras 2.15.0): 1 finding
    models/clf.h5:output:out: H5L201 [error] The output 'out' ... .
        fix: add activation='sigmoid' to layer 'out'
    models/ok.keras (keras-zip, keras 3.4.1): no findings

    2 artifacts checked: 1 finding (1 error, 0 warnings, 0 info).

A finding line starts with ``path[:location]`` so editors and ``grep`` can use it; the location is
left out when the finding is about the whole artifact.
"""

from __future__ import annotations

from collections import Counter
from typing import Callable

from ..findings import ArtifactReport, Finding, Report, Severity
from ..wording import plural
from . import RenderOptions
from ._describe import SEVERITIES, load_lines, logical_location, sentence, version_tags

# ANSI SGR codes, used only when options.color is set.
_STYLE = {
    "error": "1;31",
    "warning": "33",
    "info": "36",
    "path": "1",
    "code": "1",
    "dim": "2",
}

Paint = Callable[[str, str], str]


def _painter(color: bool) -> Paint:
    if not color:
        return lambda text, _style: text
    return lambda text, style: f"\x1b[{_STYLE[style]}m{text}\x1b[0m"


def _header(artifact: ArtifactReport, paint: Paint) -> str:
    v = artifact.versions
    tags = [artifact.format or "unreadable"]
    if v.keras_version:
        tags.append(f"keras {v.keras_version}")
    if v.backend:
        tags.append(f"backend {v.backend}")
    count = len(artifact.findings)
    status = plural(count, "finding") if count else "no findings"
    return f"{paint(artifact.path, 'path')} ({', '.join(tags)}): {status}"


def _versions(artifact: ArtifactReport) -> str:
    return "    versions: " + ", ".join(f"{key}={value or '-'}" for key, value in version_tags(artifact).items())


def _finding(finding: Finding, paint: Paint) -> str:
    place = logical_location(finding.location)
    where = f"{finding.path}:{place.qualified}" if place else finding.path
    severity = finding.severity.value
    return (
        f"{paint(where, 'path')}: {paint(finding.code, 'code')} "
        f"{paint(f'[{severity}]', severity)} {sentence(finding.message)}"
    )


def _statistics(report: Report, paint: Paint) -> list[str]:
    counts = Counter((f.code, f.name) for f in report.findings)
    if not counts:
        return ["Findings by rule: none"]
    width = len(str(max(counts.values())))
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ["Findings by rule:"] + [
        f"  {count:>{width}}  {paint(code, 'code')}  {name}" for (code, name), count in rows
    ]


def _severity_count(count: int, severity: Severity, paint: Paint) -> str:
    text = f"{count} info" if severity is Severity.INFO else plural(count, severity.value)
    return paint(text, severity.value) if count else text


def _summary(report: Report, paint: Paint) -> str:
    artifacts = plural(len(report.artifacts), "artifact") + " checked"
    unreadable = sum(1 for a in report.artifacts if not a.readable)
    if unreadable:
        artifacts += f" ({unreadable} unreadable)"
    by_severity = ", ".join(_severity_count(report.count(s), s, paint) for s in SEVERITIES)
    text = f"{artifacts}: {plural(len(report.findings), 'finding')} ({by_severity})"
    if report.hidden_by_baseline:
        text += f"; {plural(report.hidden_by_baseline, 'finding')} hidden by the baseline"
    return text + "."


def render(report: Report, options: RenderOptions) -> str:
    paint = _painter(options.color)
    lines: list[str] = []
    for artifact in report.artifacts:
        if not options.quiet:
            lines.append(_header(artifact, paint))
            if options.show_versions:
                lines.append(_versions(artifact))
            if options.show_load and artifact.load is not None:
                lines += [paint(f"    {line}", "dim") for line in load_lines(artifact.load)]
        for finding in artifact.findings:
            lines.append(_finding(finding, paint))
            if finding.fix and not options.quiet:
                lines.append(paint(f"    fix: {finding.fix}", "dim"))
    if options.statistics:
        lines += ["", *_statistics(report, paint)] if lines else _statistics(report, paint)
    if not options.quiet:
        lines += ["", _summary(report, paint)] if lines else [_summary(report, paint)]
    return "".join(f"{line}\n" for line in lines)
