"""Output for people: ``concise`` (the default) and ``full``.

concise: one line per finding, at most ``options.width`` characters, then a summary::

    models/clf.h5:output:out: H5L201 [error] Output 'out' is compiled with 'binary_crossentropy', which ...

    2 artifacts checked: 1 finding (1 error, 0 warnings, 0 info).

full: a header per artifact, the whole message and its fix hint::

    models/clf.h5 (h5-full, keras 2.15.0): 1 finding
    models/clf.h5:output:out: H5L201 [error] Output 'out' is compiled with ... .
        fix: set activation='sigmoid' on layer 'out'

A finding line starts with ``path[:location]`` so editors and ``grep`` can use it; the location is left
out when the finding is about the whole artifact. Everything taken from a file is passed through
:func:`printable`, so no control character or ``::`` reaches a terminal or a CI log.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from ..findings import ArtifactReport, Finding, Severity
from ..wording import plural
from . import RenderOptions, RunInfo, Tally
from ._describe import (
    SEVERITIES,
    load_lines,
    logical_location,
    printable,
    sentence,
    unprefixed,
    version_tags,
)

# ANSI SGR codes, used only when options.color is set.
_STYLE = {
    "error": "1;31",
    "warning": "33",
    "info": "36",
    "path": "1",
    "code": "1",
    "dim": "2",
}
_CUT = "…"

Paint = Callable[[str, str], str]


def _painter(color: bool) -> Paint:
    if not color:
        return lambda text, _style: text
    return lambda text, style: f"\x1b[{_STYLE[style]}m{text}\x1b[0m"


def _header(artifact: ArtifactReport, paint: Paint) -> str:
    v = artifact.versions
    tags = [artifact.format or "unreadable"]
    if v.keras_version:
        tags.append(f"keras {printable(v.keras_version)}")
    if v.backend:
        tags.append(f"backend {printable(v.backend)}")
    count = len(artifact.findings)
    status = plural(count, "finding") if count else "no findings"
    return f"{paint(printable(artifact.path), 'path')} ({', '.join(tags)}): {status}"


def _versions(artifact: ArtifactReport, full: bool) -> str:
    tags = version_tags(artifact).items()
    text = "versions: " + ", ".join(f"{key}={printable(value) if value else '-'}" for key, value in tags)
    return f"    {text}" if full else f"{printable(artifact.path)}: {text}"  # concise has no header to sit under


def _where(finding: Finding) -> str:
    place = logical_location(finding.location)
    return printable(f"{finding.path}:{place.qualified}" if place else finding.path)


def _finding(finding: Finding, paint: Paint, width: int | None) -> str:
    where = _where(finding)
    severity = finding.severity.value
    # concise: the line starts with the path; the message need not say it again
    text = printable(unprefixed(finding) if width is not None else sentence(finding.message))
    if width is not None:
        room = max(40, width - len(where) - len(finding.code) - len(severity) - 6)
        text = text if len(text) <= room else text[: room - len(_CUT)].rstrip() + _CUT
    return f"{paint(where, 'path')}: {paint(finding.code, 'code')} {paint(f'[{severity}]', severity)} {text}"


def _statistics(tally: Tally, paint: Paint) -> list[str]:
    fetched = [f"Bytes fetched: {tally.bytes_fetched:,} for {plural(tally.remote, 'remote artifact')}"]
    remote = fetched if tally.remote else []
    if not tally.by_rule:
        return ["Findings by rule: none", *remote]
    width = len(str(max(tally.by_rule.values())))
    rows = sorted(tally.by_rule.items(), key=lambda item: (-item[1], item[0]))
    return ["Findings by rule:"] + [
        f"  {count:>{width}}  {paint(code, 'code')}  {name}" for (code, name), count in rows
    ] + remote


def _fetched(artifact: ArtifactReport, full: bool) -> str:
    text = f"fetched {artifact.bytes_fetched:,} bytes"
    return f"    {text}" if full else f"{printable(artifact.path)}: {text}"


def _severity_count(count: int, severity: Severity, paint: Paint) -> str:
    text = f"{count} info" if severity is Severity.INFO else plural(count, severity.value)
    return paint(text, severity.value) if count else text


def _summary(tally: Tally, run: RunInfo, paint: Paint) -> list[str]:
    artifacts = plural(tally.artifacts, "artifact") + " checked"
    if tally.unreadable:
        artifacts += f" ({tally.unreadable} unreadable)"
    by_severity = ", ".join(_severity_count(tally.count(s), s, paint) for s in SEVERITIES)
    text = f"{artifacts}: {plural(tally.findings, 'finding')} ({by_severity})"
    if tally.hidden_by_baseline:
        text += f"; {plural(tally.hidden_by_baseline, 'finding')} hidden by the baseline"
    if tally.skipped_count:
        text += f"; {plural(tally.skipped_count, 'non-model file')} skipped"
    lines = [text + "."]
    if run.config:
        lines.append(paint(f"Configuration: {printable(run.config)}", "dim"))
    return lines


def _skipped(tally: Tally) -> list[str]:
    return [f"skipped {printable(s.path)}: {printable(s.reason)}" for s in tally.skipped]


def _stream(
    artifacts: Iterable[ArtifactReport], run: RunInfo, tally: Tally, options: RenderOptions, full: bool
) -> Iterator[str]:
    paint = _painter(options.color)
    width = None if full else options.width
    printed = False
    for artifact in artifacts:
        lines = []
        if full and not options.quiet:
            lines.append(_header(artifact, paint))
        if options.show_versions and not options.quiet:
            lines.append(_versions(artifact, full))
        if options.statistics and not options.quiet and artifact.bytes_fetched is not None:
            lines.append(_fetched(artifact, full))
        if options.show_load and not options.quiet and artifact.load is not None:
            lines += [paint(f"    {printable(line)}", "dim") for line in load_lines(artifact.load)]
        for finding in artifact.findings:
            lines.append(_finding(finding, paint, width))
            if full and finding.fix and not options.quiet:
                lines.append(paint(f"    fix: {printable(finding.fix)}", "dim"))
        if lines:
            printed = True
            yield "".join(f"{line}\n" for line in lines)
    blocks = [
        _skipped(tally) if options.show_skipped else [],
        _statistics(tally, paint) if options.statistics else [],
        [] if options.quiet else _summary(tally, run, paint),
    ]
    lines: list[str] = []
    for block in filter(None, blocks):
        lines += ([""] if printed or lines else []) + block
    if lines:
        yield "".join(f"{line}\n" for line in lines)


def concise(artifacts: Iterable[ArtifactReport], run: RunInfo, tally: Tally, options: RenderOptions) -> Iterator[str]:
    return _stream(artifacts, run, tally, options, full=False)


def full(artifacts: Iterable[ArtifactReport], run: RunInfo, tally: Tally, options: RenderOptions) -> Iterator[str]:
    return _stream(artifacts, run, tally, options, full=True)
