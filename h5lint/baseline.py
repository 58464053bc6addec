"""Baselines: record today's findings once, then report only new ones.

The file is versioned JSON::

    {"version": 1, "tool": {"name": "h5lint", "version": "0.1.0"},
     "findings": [{"fingerprint": "...", "code": "H5L201", "path": "models/clf.h5", "location": "output:out"}]}

Findings match by fingerprint alone, which hashes rule code + artifact path + logical location
(never bytes, offsets or messages), so re-saving an unchanged model keeps it matched. ``code``,
``path`` and ``location`` are there for people reviewing the file. Entries are sorted so the file
diffs cleanly.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from . import __version__
from .findings import ArtifactReport
from .project import ConfigError

BASELINE_VERSION = 1


class BaselineError(ConfigError):
    """A baseline file that cannot be used; the message names the file and what is wrong."""


def baseline_entries(artifact: ArtifactReport) -> list[dict]:
    """What a baseline records of one artifact's findings."""
    return [
        {"fingerprint": f.fingerprint, "code": f.code, "path": f.path, "location": f.location} for f in artifact.findings
    ]


def baseline_document(entries: list[dict], tool_version: str = "") -> dict:
    ordered = sorted(entries, key=lambda e: (e["path"], e["code"], e["location"] or "", e["fingerprint"]))
    return {"version": BASELINE_VERSION, "tool": {"name": "h5lint", "version": tool_version or __version__}, "findings": ordered}


def write_baseline(path: Path, entries: list[dict]) -> int:
    """Record these findings in ``path``; returns how many."""
    document = baseline_document(entries)
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return len(document["findings"])


def load_baseline(path: Path) -> frozenset[str]:
    """The fingerprints a baseline file records."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BaselineError(f"{path}: baseline file not found; create it with --write-baseline {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"{path}: cannot read the baseline file: {exc}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BaselineError(
            f"{path}: not a baseline file (invalid JSON: {exc}); re-create it with --write-baseline"
        ) from None
    if not isinstance(document, dict) or document.get("version") != BASELINE_VERSION:
        found = document.get("version") if isinstance(document, dict) else None
        raise BaselineError(
            f"{path}: baseline version {found!r} is not supported (expected {BASELINE_VERSION}); "
            "re-create it with --write-baseline"
        )
    entries = document.get("findings")
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and isinstance(e.get("fingerprint"), str) for e in entries
    ):
        raise BaselineError(f"{path}: 'findings' must be a list of objects with a 'fingerprint' string")
    return frozenset(e["fingerprint"] for e in entries)


def apply_baseline(artifact: ArtifactReport, fingerprints: frozenset[str]) -> tuple[ArtifactReport, int]:
    """The artifact without the findings the baseline records, and how many it hid."""
    kept = tuple(f for f in artifact.findings if f.fingerprint not in fingerprints)
    return replace(artifact, findings=kept), len(artifact.findings) - len(kept)
