"""Snapshots h5lint writes of its own output, reviewed as diffs (as ruff does with its snapshot tests).

Every finding on ``sample_models/``, ``../shared/format-examples/`` and ``../shared/realworld/files/``,
the README's rule and format tables and ``sample_models/README.md``'s generated tables are files in the
repository. A test compares what h5lint produces now with them; ``python -m pytest --update-snapshots``
rewrites them, and ``git diff`` shows what a change did to every finding.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Mapping

from conftest import REPO

from h5lint.catalog import load_catalog
from h5lint.engine import lint_paths
from h5lint.parsers import SPECS
from h5lint.reporters._describe import load_document
from h5lint.ruledocs import rule_table_markdown
from h5lint.settings import resolve

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE_HINT = "run `python -m pytest --update-snapshots` and review the diff"


def corpus(root: Path, top: str) -> dict[str, Any]:
    """Every artifact under ``root / top``: format, versions, findings, load call (all rules, default target).

    The scan runs from ``root`` so that messages name paths as ``top/...``, the same on every machine.
    """
    cwd = os.getcwd()
    os.chdir(root)
    try:
        report = lint_paths([top], resolve(None, {}), jobs=1)
    finally:
        os.chdir(cwd)
    found: dict[str, Any] = {}
    for artifact in report.artifacts:
        name = Path(artifact.path).relative_to(top).as_posix()
        assert artifact.crashed_checks == (), f"{name}: a check crashed: {artifact.crashed_checks}"
        found[name] = {
            "format": artifact.format,
            "layout": artifact.layout,
            "keras_version": artifact.versions.keras_version,
            "writer": artifact.versions.writer,
            "findings": [
                {"code": f.code, "location": f.location, "severity": f.severity.value, "message": f.message, "fix": f.fix}
                for f in artifact.findings
            ],
            "load": load_document(artifact.load) if artifact.load is not None else None,
        }
    return found


def recorded(name: str) -> dict[str, Any]:
    """The snapshot ``tests/snapshots/<name>.json`` (empty before its first ``--update-snapshots``)."""
    path = SNAPSHOTS / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def found_by_top(name: str, prefix: str = "H5L") -> dict[str, set[tuple[str, str | None]]]:
    """``{top-level entry: {(code, location)}}`` of a snapshot, for codes starting with ``prefix``.

    A folder artifact is named after its folder, a TF.js model after its folder too (``x/model.json`` -> ``x``).
    """
    found: dict[str, set[tuple[str, str | None]]] = {}
    for artifact, entry in recorded(name).items():
        hits = found.setdefault(artifact.split("/", 1)[0], set())
        hits |= {(f["code"], f["location"]) for f in entry["findings"] if f["code"].startswith(prefix)}
    return found


def dumps(value: Any) -> str:
    return json.dumps(value, indent=1, ensure_ascii=False, sort_keys=False) + "\n"


def compare(expected: str, actual: str, what: str) -> str | None:
    """None when equal, else a short unified diff that names the snapshot and how to update it."""
    if expected == actual:
        return None
    diff = difflib.unified_diff(
        expected.splitlines(keepends=True), actual.splitlines(keepends=True), f"{what} (snapshot)", f"{what} (now)"
    )
    lines = list(diff)
    shown = "".join(lines[:80]) + (f"... and {len(lines) - 80} more diff lines\n" if len(lines) > 80 else "")
    return f"{what} differs from its snapshot; {UPDATE_HINT}:\n{shown}"


# ------------------------------------------------------------------------------- generated docs
def formats_table() -> str:
    rows = ["| container | formats reported | recognised by | what h5lint reads |", "|---|---|---|---|"]
    for spec in SPECS:
        formats = ", ".join(f"`{f.name}`" for f in spec.formats)
        rows.append(f"| {spec.words} | {formats} | {spec.recognised_by} | {spec.reads} |")
    return "\n".join(rows) + "\n"


def precommit_files() -> str:
    """pre-commit's ``files`` pattern: every spec's names, one alternative per line."""
    patterns = [p for spec in SPECS for p in spec.commit_patterns]
    return "(?ix)(\n" + "\n".join(f"{'    ' if i == 0 else '  | '}{p}" for i, p in enumerate(patterns)) + "\n)"


def replace_block(text: str, name: str, body: str) -> str:
    """``text`` with the lines between ``<!-- name:start -->`` and ``<!-- name:end -->`` replaced by ``body``."""
    pattern = re.compile(rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)", re.S)
    if len(pattern.findall(text)) != 1:
        raise AssertionError(f"needs exactly one <!-- {name}:start --> ... <!-- {name}:end --> block")
    return pattern.sub(lambda m: m.group(1) + body + m.group(2), text)


def first_screen_example() -> str:
    """What the README's first command prints, run from the repository root as a new user would."""
    command = [sys.executable, "-m", "h5lint", "sample_models/tfk_linear_head_bce.h5"]
    env = {k: v for k, v in os.environ.items() if k != "FORCE_COLOR"}
    proc = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    return f"```\n{proc.stdout}```\n"


def readme(text: str) -> str:
    text = replace_block(text, "rules", rule_table_markdown(load_catalog().values()))
    text = replace_block(text, "example", first_screen_example())
    return replace_block(text, "formats", formats_table())


def precommit_manifest(text: str) -> str:
    pattern = re.compile(r"(  files: \|-\n)(?:    .*\n)+")
    body = "".join(f"    {line}\n" for line in precommit_files().splitlines())
    if len(pattern.findall(text)) != 1:
        raise AssertionError(".pre-commit-hooks.yaml needs one `files: |-` block")
    return pattern.sub(lambda m: m.group(1) + body, text)


# ------------------------------------------------------------------------- sample_models/README.md
def _short_load(load_check: Mapping[str, str]) -> str:
    parts = []
    for loader, result in load_check.items():
        tag = "k3" if loader.startswith("keras") else "tfk"
        if result == "ok":
            parts.append(f"{tag} ✓")
        elif result.startswith("error: "):
            parts.append(f"{tag} ✗ {result[7:].split(':', 1)[0]}")
        else:
            parts.append(f"{tag} –")
    return ", ".join(parts)


def _names(names) -> str:
    return ", ".join(f"`{n}`" for n in names)


def sample_tables(snapshot: Mapping[str, Any], samples: Mapping[str, Any]) -> str:
    """The coverage table (from the rules' ``[samples]``) and the per-sample table (facts + findings)."""
    out = [
        "## Coverage: a positive and a matching negative per rule\n\n",
        "From each rule's `[samples]` in `rules/<CODE>_<name>/rule.toml`; `tests/test_samples.py` checks that every "
        "positive has the rule's finding and none of its negatives has.\n\n",
        "| rule | format | positive sample | matching negative samples |\n| --- | --- | --- | --- |\n",
    ]
    unsampled = []
    for spec in load_catalog().values():
        if spec.unsampled:
            unsampled.append(f"* **{spec.code}**: {spec.unsampled}\n")
        for positive, negatives in spec.samples.items():
            fmt = snapshot.get(positive, {}).get("format") or "unreadable"
            out.append(f"| {spec.code} | {fmt} | `{positive}` | {_names(negatives)} |\n")
    out.append("\nNot sampled, and why:\n\n")
    out.extend(unsampled)
    out.append(
        "\n## Samples\n\n"
        "| name | format | keras_version | how it was made | findings (snapshot) | loads? |\n"
        "| --- | --- | --- | --- | --- | --- |\n"
    )
    for name in sorted(set(snapshot) | set(samples)):
        entry, facts = snapshot.get(name, {}), samples.get(name, {})
        found = "; ".join(f"{f['code']} `{f['location']}`" for f in entry.get("findings", ())) or "— (none)"
        notes = facts.get("notes", "")
        how = facts.get("made_by", "?") + (f". {notes[0].upper()}{notes[1:]}" if notes else "")
        loads = _short_load(facts["load_check"]) if facts.get("load_check") else ""
        row = (name, entry.get("format") or "unreadable", entry.get("keras_version") or "—", how, found, loads)
        out.append("| `{}` | {} | {} | {} | {} | {} |\n".format(*(str(c).replace("|", "\\|") for c in row)))
    return "".join(out)
