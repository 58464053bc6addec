"""SARIF 2.1.0 for GitHub code scanning and other SARIF consumers: one run per invocation.

Choices (see the SARIF spec and GitHub's ingestion rules):

* ``tool.driver.rules`` lists every rule in the catalog, not only those that fired, so results keep
  their ``ruleIndex`` and consumers can show help for any rule.
* Model files are binary, so locations carry no ``region`` (the spec's "whole artifact"); the layer,
  output or member goes into ``logicalLocations``. Folder artifacts (SavedModel, unzipped Keras)
  are shown on their main file, because code scanning links files.
* ``partialFingerprints.primaryLocationLineHash`` is the finding's fingerprint (rule + path +
  logical location), so alerts survive re-saving a model; GitHub keeps a producer's value.
* Paths are relative to the git root (``%SRCROOT%``), POSIX, percent-encoded.
* Findings hidden by ``--baseline`` are left out (GitHub would reopen them as alerts, as it ignores
  ``suppressions``); ``run.properties.hiddenByBaseline`` says how many.
* An unreadable artifact is an H5L001 result *and* an error ``toolExecutionNotification``; the run
  is then not ``executionSuccessful`` because its results are incomplete.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from .. import __version__
from ..catalog import RuleSpec, load_catalog
from ..codes import UNREADABLE
from ..findings import ArtifactReport, Finding, Severity
from ..ruledocs import render_rule_doc
from . import HOMEPAGE, RenderOptions, RunInfo, Tally
from ._describe import logical_location, sentence, unreadable_messages
from ._lists import JsonList, indented
from ._paths import root_uri, source_root, uri_reference

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
# GitHub keeps at most this many characters of a description and 10 tags per rule.
MAX_DESCRIPTION = 1024
MAX_TAGS = 10

SEMVER = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?")

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
# GitHub's problem.severity vocabulary for rules without a security-severity.
PROBLEM_SEVERITY = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "recommendation"}
# SARIF's suggested logicalLocation kinds (§3.33.7) for h5lint's location kinds.
LOGICAL_KINDS = {
    "layer": "member",
    "output": "variable",
    "op": "function",
    "member": "resource",
    "object": "object",
}


def _paragraphs(text: str) -> str:
    """Catalog prose is hard-wrapped; plain-text consumers want one line per paragraph."""
    blocks = re.split(r"\n\s*\n", text.strip())
    return "\n\n".join(" ".join(block.split()) for block in blocks)


def _clip(text: str, limit: int = MAX_DESCRIPTION) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    end = cut.rfind(". ")
    return cut[: end + 1] if end > 0 else cut.rstrip() + "…"


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("-"))


def _rule(spec: RuleSpec) -> dict[str, Any]:
    docs = spec.docs
    tags = list(dict.fromkeys((spec.category, *spec.tags, *(("security",) if spec.security_severity else ()))))
    properties: dict[str, Any] = {"tags": tags[:MAX_TAGS]}
    if spec.security_severity:
        properties["security-severity"] = spec.security_severity
    else:
        properties["problem.severity"] = PROBLEM_SEVERITY[spec.severity]
    help_text = "\n\n".join(
        (_paragraphs(docs.what), f"Why it matters: {_paragraphs(docs.why)}", f"How to fix: {_paragraphs(docs.fix)}")
    )
    return {
        "id": spec.code,
        "name": _pascal(spec.name),
        "shortDescription": {"text": sentence(spec.summary)},
        "fullDescription": {"text": _clip(_paragraphs(docs.what))},
        "help": {"text": help_text, "markdown": render_rule_doc(spec)},
        "helpUri": f"{HOMEPAGE}/blob/main/rules/{spec.folder}/rule.toml",
        "defaultConfiguration": {"level": LEVELS[spec.severity]},
        "properties": properties,
    }


def _artifact_location(artifact: ArtifactReport, root: Path) -> dict[str, Any]:
    uri, relative = uri_reference(artifact.anchor or artifact.path, root)
    return {"uri": uri, "uriBaseId": SRCROOT} if relative else {"uri": uri}


def _location(finding: Finding, artifact: ArtifactReport, root: Path) -> dict[str, Any]:
    location: dict[str, Any] = {"physicalLocation": {"artifactLocation": _artifact_location(artifact, root)}}
    place = logical_location(finding.location)
    if place is not None:
        location["logicalLocations"] = [
            {"name": place.name, "fullyQualifiedName": place.qualified, "kind": LOGICAL_KINDS.get(place.kind, "object")}
        ]
    return location


def _message(finding: Finding) -> str:
    text = sentence(finding.message)
    return f"{text} Fix: {sentence(finding.fix)}" if finding.fix else text


def _result(finding: Finding, artifact: ArtifactReport, rule_index: Mapping[str, int], root: Path) -> dict[str, Any]:
    result: dict[str, Any] = {"ruleId": finding.code}
    if finding.code in rule_index:
        result["ruleIndex"] = rule_index[finding.code]
    result.update(
        {
            "level": LEVELS[finding.severity],
            "message": {"text": _message(finding)},
            "locations": [_location(finding, artifact, root)],
            "partialFingerprints": {"primaryLocationLineHash": finding.fingerprint},
        }
    )
    return result


def _notification(artifact: ArtifactReport, rule_index: Mapping[str, int], root: Path) -> dict[str, Any]:
    said = unreadable_messages(artifact)
    text = " ".join(sentence(m) for m in said) if said else f"'{artifact.path}' could not be read as a model."
    rule: dict[str, Any] = {"id": UNREADABLE}
    if UNREADABLE in rule_index:
        rule["index"] = rule_index[UNREADABLE]
    return {
        "level": "error",
        "message": {"text": text},
        "locations": [{"physicalLocation": {"artifactLocation": _artifact_location(artifact, root)}}],
        "associatedRule": rule,
    }


def _driver(run: RunInfo, specs: list[RuleSpec]) -> dict[str, Any]:
    version = run.tool_version or __version__
    driver: dict[str, Any] = {"name": "h5lint", "version": version}
    if SEMVER.fullmatch(version):  # GitHub prefers semanticVersion, which must be SemVer 2.0
        driver["semanticVersion"] = version
    driver["informationUri"] = HOMEPAGE
    driver["rules"] = [_rule(spec) for spec in specs]
    return driver


def stream(artifacts: Iterable[ArtifactReport], run: RunInfo, tally: Tally, options: RenderOptions) -> Iterator[str]:
    """The SARIF log, results written as artifacts come; the invocation (which needs them all) follows."""
    root = options.source_root or source_root()
    specs = list(load_catalog().values())
    rule_index = {spec.code: i for i, spec in enumerate(specs)}
    head = {"version": "2.1.0", "$schema": SCHEMA_URI}
    yield "{\n" + ",\n".join(f'  "{k}": {json.dumps(v)}' for k, v in head.items()) + ',\n  "runs": [\n    {\n'
    yield '      "tool": {\n        "driver": ' + indented(_driver(run, specs), 4).lstrip() + "\n      },\n"
    yield '      "originalUriBaseIds": ' + json.dumps({SRCROOT: {"uri": root_uri(root)}}) + ",\n"
    yield '      "results": ['
    results, notifications = JsonList(4), JsonList(6)
    for artifact in artifacts:
        for finding in artifact.findings:
            yield results.add(_result(finding, artifact, rule_index, root))
        if not artifact.readable:
            notifications.spool(_notification(artifact, rule_index, root))
    yield results.close() + ",\n"
    # One invocation, laid out as json.dumps would, its notifications replayed from their spool.
    yield '      "invocations": [\n        {\n'
    yield f'          "executionSuccessful": {json.dumps(not notifications.count)}'
    if notifications.count:
        yield ',\n          "toolExecutionNotifications": ['
        yield from notifications.replay()
    if run.config:
        yield ',\n          "properties": ' + indented({"configuration": run.config}, 5).lstrip()
    yield "\n        }\n      ],\n"
    yield '      "properties": ' + json.dumps({"hiddenByBaseline": tally.hidden_by_baseline}) + "\n    }\n  ]\n}\n"
