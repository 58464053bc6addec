"""GitLab code quality: the Code Climate issue list GitLab reads from a ``codequality`` report artifact.

One issue per finding (``type: issue`` as the Code Climate spec has it), with the keys GitLab requires: ``description``, ``check_name``, ``fingerprint``,
``severity`` (GitLab's scale ``info``, ``minor``, ``major``, ``critical``, ``blocker``), ``location.path``
relative to the repository root and ``location.lines.begin``. Model files are binary, so every issue is on
line 1 and the logical location (layer, output ...) leads the description.

GitLab shows one issue per fingerprint. A finding's fingerprint (rule + path + logical location) is kept as
it is, so merge requests compare runs by it; should two findings of one artifact share it, the later ones
get it hashed with their rank in the artifact, still the same from run to run. The list streams, one issue
as each artifact is done; text that no UTF-8 document may hold (lone surrogates) is escaped.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

from ..findings import ArtifactReport, Finding, Severity
from . import RenderOptions, RunInfo, Tally
from ._describe import logical_location, unprefixed, well_formed
from ._lists import JsonList
from ._paths import display_path, source_root

# h5lint's three severities on GitLab's five-step scale; "critical" and "blocker" are left for tools that
# can tell an outage from a defect, as ruff and most linters do.
SEVERITIES = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}
# GitLab asks for a line; a model file has none, so its first line stands for the whole file.
WHOLE_FILE_LINE = 1


def _description(finding: Finding) -> str:
    place = logical_location(finding.location)
    text = unprefixed(finding)
    return well_formed(f"{place.qualified}: {text}" if place else text)


def _fingerprint(finding: Finding, seen: Counter) -> str:
    seen[finding.fingerprint] += 1
    rank = seen[finding.fingerprint]
    if rank == 1:
        return finding.fingerprint
    return hashlib.sha256(f"{finding.fingerprint}#{rank}".encode("ascii")).hexdigest()[:32]


def _issue(finding: Finding, path: str, seen: Counter) -> dict[str, Any]:
    return {
        "type": "issue",
        "description": _description(finding),
        "check_name": finding.code,
        "fingerprint": _fingerprint(finding, seen),
        "severity": SEVERITIES[finding.severity],
        "location": {"path": path, "lines": {"begin": WHOLE_FILE_LINE}},
    }


def stream(artifacts: Iterable[ArtifactReport], run: RunInfo, tally: Tally, options: RenderOptions) -> Iterator[str]:
    root = options.source_root or source_root()
    issues = JsonList(1)
    yield "["
    for artifact in artifacts:
        path = well_formed(display_path(artifact.anchor or artifact.path, root))
        seen: Counter = Counter()
        text = "".join(issues.add(_issue(finding, path, seen)) for finding in artifact.findings)
        if text:
            yield text
    yield issues.close() + "\n"
