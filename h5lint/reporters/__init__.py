"""Reporters turn the artifacts of a run into text, as they come; they never filter or re-rank findings.

Each entry of :data:`REPORTERS` names a function ``stream(artifacts, run, tally, options) -> Iterator[str]``
that yields output while it consumes the artifacts, so a run of 100,000 files prints as it goes and holds
none of them; what only the end knows (counts) is in :class:`Tally`, complete once ``artifacts`` is
exhausted. A reporter knows nothing about rule logic or parsers: rule metadata comes from the catalog,
findings from the artifacts. Everything that came from a scanned file is escaped for where it goes.
"""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..findings import ArtifactReport, Report, Severity, Skipped

# --output-format name -> "module:function" of this package streaming it
REPORTERS = {
    "concise": "text:concise",
    "full": "text:full",
    "text": "text:full",
    "json": "json:stream",
    "sarif": "sarif:stream",
    "github": "github:stream",
    "gitlab": "gitlab:stream",
    "junit": "junit:stream",
}

# Same as [project.urls] Homepage in pyproject.toml; SARIF informationUri and rule help links.
HOMEPAGE = "https://github.com/h5lint/h5lint"


@dataclass(frozen=True)
class RenderOptions:
    quiet: bool = False  # text: findings only, no headers, fix hints or summary
    statistics: bool = False  # counts per rule
    show_versions: bool = False  # every version tag of every artifact
    show_skipped: bool = False  # list the files found while walking that are not models
    show_load: bool = False  # text: the call that loads each artifact in the target runtime
    color: bool = False  # text: ANSI colours (the CLI enables them on a terminal without NO_COLOR)
    # Artifact paths are relative to this folder (the project root); None = the working directory.
    source_root: Path | None = None
    width: int = 160  # concise: the longest line


@dataclass(frozen=True)
class RunInfo:
    """What a run knows before its first artifact."""

    rules_run: tuple[str, ...] = ()
    tool_version: str = ""
    config: str | None = None  # the configuration file used, None for the defaults


@dataclass
class Tally:
    """Counts kept while artifacts stream past; complete when the stream ends."""

    artifacts: int = 0
    unreadable: int = 0
    findings: int = 0
    by_severity: Counter = field(default_factory=Counter)
    by_rule: Counter = field(default_factory=Counter)  # (code, name) -> count
    hidden_by_baseline: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    skipped_count: int = 0
    remote: int = 0  # artifacts read from URLs
    bytes_fetched: int = 0  # over all of them

    def count(self, severity: Severity) -> int:
        return self.by_severity[severity]

    def observe(self, artifacts: Iterable[ArtifactReport]) -> Iterator[ArtifactReport]:
        for artifact in artifacts:
            self.artifacts += 1
            self.unreadable += not artifact.readable
            self.findings += len(artifact.findings)
            self.by_severity.update(f.severity for f in artifact.findings)
            self.by_rule.update((f.code, f.name) for f in artifact.findings)
            if artifact.bytes_fetched is not None:
                self.remote += 1
                self.bytes_fetched += artifact.bytes_fetched
            yield artifact

    def skip(self, skipped: Skipped, keep: bool) -> None:
        self.skipped_count += 1
        if keep:
            self.skipped.append(skipped)


def stream(
    name: str, artifacts: Iterable[ArtifactReport], run: RunInfo, tally: Tally, options: RenderOptions
) -> Iterator[str]:
    module_name, function = REPORTERS[name].split(":")
    module = importlib.import_module(f"{__name__}.{module_name}")
    return getattr(module, function)(tally.observe(artifacts), run, tally, options)


def render(name: str, report: Report, options: RenderOptions = RenderOptions()) -> str:
    """A finished report as one text (library use and tests)."""
    tally = Tally(hidden_by_baseline=report.hidden_by_baseline)
    run = RunInfo(report.rules_run, report.tool_version)
    return "".join(stream(name, report.artifacts, run, tally, options))
