"""GitHub Actions workflow commands: one ``::error``/``::warning``/``::notice`` annotation per finding.

``::error file=models/clf.h5,title=H5L201 missing-final-activation::output:out: The output ...``

Values are escaped the way the Actions runner unescapes them: ``%``, CR and LF in the message;
additionally ``:`` and ``,`` in properties (they delimit the property list). Files are named relative
to the git root, which is where GitHub resolves them. Model files are binary, so no line is given.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from ..findings import ArtifactReport, Finding, Severity
from . import RenderOptions, RunInfo, Tally
from ._describe import CONTROL_CHARACTERS, logical_location, sentence
from ._paths import display_path, source_root

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    # % CR LF as the runner unescapes them; every other control character escaped too (ESC and the like
    # would reach the log's terminal emulation), shown as %XX.
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return CONTROL_CHARACTERS.sub(lambda m: f"%{ord(m.group()):02X}", text)


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


def stream(artifacts: Iterable[ArtifactReport], run: RunInfo, tally: Tally, options: RenderOptions) -> Iterator[str]:
    root = options.source_root or source_root()
    for artifact in artifacts:
        text = "".join(f"{_annotation(f, artifact, root)}\n" for f in artifact.findings)
        if text:
            yield text
