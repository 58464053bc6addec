"""GitHub Actions workflow commands: one ``::error``/``::warning``/``::notice`` annotation per finding.

``::error file=models/clf.h5,title=H5L201 missing-final-activation::output:out: The output ...``

Values are escaped the way the Actions runner unescapes them: ``%``, CR and LF in the message;
additionally ``:`` and ``,`` in properties (they delimit the property list). Files are named relative
to the git root, which is where GitHub resolves them. Model files are binary, so no line is given.
"""

from __future__ import annotations

from pathlib import Path

from ..findings import ArtifactReport, Finding, Report, Severity
from . import RenderOptions
from ._describe import logical_location, sentence
from ._paths import display_path, source_root

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _annotation(finding: Finding, artifact: ArtifactReport, root: Path) -> str:
    place = logical_location(finding.location)
    message = sentence(finding.message)
    if place is not None:
        message = f"{place.qualified}: {message}"
    if finding.fix:
        message += f"\nfix: {finding.fix}"
    properties = {
        "file": display_path(artifact.anchor or artifact.path, root),
        "title": f"{finding.code} {finding.name}",
    }
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{COMMANDS[finding.severity]} {props}::{escape_data(message)}"


def render(report: Report, options: RenderOptions) -> str:
    root = options.source_root or source_root()
    return "".join(f"{_annotation(f, a, root)}\n" for a in report.artifacts for f in a.findings)
