"""Wording every reporter shares: logical locations, version tags, sentences, counts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..codes import UNREADABLE
from ..findings import ArtifactReport, Severity
from . import Tally

if TYPE_CHECKING:
    from ..keras.loading import LoadCall

SEVERITIES = (Severity.ERROR, Severity.WARNING, Severity.INFO)

WHOLE_ARTIFACT = "file"


@dataclass(frozen=True)
class LogicalLocation:
    """A finding's place inside an artifact, split from ``layer:inner_seq/dense_1``."""

    kind: str  # layer, output, op, member, object ...
    name: str  # innermost name: ``dense_1``
    qualified: str  # the location exactly as findings carry it: ``layer:inner_seq/dense_1``


def logical_location(location: str | None) -> LogicalLocation | None:
    """None when the finding is about the whole artifact."""
    if not location or location == WHOLE_ARTIFACT:
        return None
    kind, sep, value = location.partition(":")
    if not sep or not value:
        return LogicalLocation(kind="object", name=location, qualified=location)
    name = value
    # Layer paths nest models ("inner_seq/dense_1"); other kinds may contain "/" in the name itself
    # (member:../evil.sh, object:/model_weights/ext), so only layers are cut to their last part.
    if kind == "layer":
        name = value.rsplit("/", 1)[-1] or value
    return LogicalLocation(kind=kind, name=name, qualified=location)


def version_tags(artifact: ArtifactReport) -> dict[str, str | None]:
    """The tags by their public names (JSON keys, --show-versions labels), in display order."""
    return {"format": artifact.format, "layout": artifact.layout, **artifact.versions.named()}


def sentence(text: str) -> str:
    """The text ending like a sentence (SARIF consumers and readers expect a final period)."""
    text = text.strip()
    return text if not text or text[-1] in ".!?" else f"{text}."


def severity_counts(tally: Tally) -> dict[str, int]:
    return {s.value: tally.count(s) for s in SEVERITIES}


# C0 controls, DEL and C1 controls: a terminal or a CI log acts on them (ESC sequences, CR overwrites,
# a newline that starts a forged "::error" workflow command).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """Text from a scanned file made safe for a terminal or CI log line: controls escaped, no leading "::"."""
    text = CONTROL_CHARACTERS.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    return "\\x3a" + text[1:] if text.startswith("::") else text


def unreadable_messages(artifact: ArtifactReport) -> tuple[str, ...]:
    """What the parser said about an artifact it could not read (empty if H5L001 was ignored)."""
    return tuple(f.message for f in artifact.findings if f.code == UNREADABLE)


def load_document(load: LoadCall) -> dict[str, Any]:
    """The load call as JSON reports, snapshots and ``inspect`` give it (report.schema.json ``load``)."""
    return {
        "runtime": load.runtime,
        "call": load.call,
        "install": list(load.install),
        "imports": list(load.imports),
        "custom_objects": list(load.custom_objects),
        "compile": load.compile,
        "safe_mode": load.safe_mode,
        "notes": list(load.notes),
        "blockers": list(load.blockers),
        "alternatives": list(load.alternatives),
    }


def load_lines(load: LoadCall) -> list[str]:
    """The load call for people: the call (after what to install and import), its notes, or why none loads it."""
    lines = []
    if load.call is not None:
        setup = "; ".join((*load.install, *load.imports))
        lines.append(f"load: {setup + '; ' if setup else ''}{load.call}")
    else:
        lines.append("load: no call loads it as it is: " + "; ".join(load.blockers))
    lines += [f"  note: {note}" for note in load.notes]
    lines += [f"  instead: {alternative}" for alternative in load.alternatives] if load.call is None else []
    return lines
