"""SARIF output: OASIS schema, Microsoft's SARIF validator (SARIF + GitHub rules), content, and the Action."""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import FORMAT_EXAMPLES, IN_CI, REPO, SAMPLES, SHARED
from sample_reports import CLF, LAMBDA, MISMATCH, POINTER, UNREADABLE, sample_report

from h5lint.catalog import load_catalog
from h5lint.engine import lint_paths
from h5lint.findings import Report
from h5lint.reporters import RenderOptions, render
from h5lint.reporters.sarif import LEVELS
from h5lint.ruledocs import render_rule_doc
from h5lint.settings import resolve

SARIF_SCHEMA_FILE = SHARED / "sarif" / "sarif-schema-2.1.0.json"
SARIF_SCHEMA_URL = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
CATALOG = load_catalog()

# `npm install --prefix .cache/sarif-multitool @microsoft/sarif-multitool` puts the .NET tool here.
MULTITOOL_DIR = REPO / ".cache" / "sarif-multitool" / "node_modules" / "@microsoft"


def sarif(report: Report, root: Path) -> dict:
    return json.loads(render("sarif", report, RenderOptions(source_root=root)))


@pytest.fixture
def root(tmp_path, monkeypatch) -> Path:
    """The source root; relative paths of the sample reports are relative to it, as to the cwd."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@functools.cache
def _sarif_validator() -> jsonschema.Draft4Validator:
    if not SARIF_SCHEMA_FILE.is_file() and not IN_CI:
        pytest.skip(f"the OASIS SARIF schema is not at {SARIF_SCHEMA_FILE}; download it from {SARIF_SCHEMA_URL}")
    schema = json.loads(SARIF_SCHEMA_FILE.read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


def assert_schema_valid(log: dict) -> None:
    errors = sorted(_sarif_validator().iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


# --- driver and rules -------------------------------------------------------------------------


def test_one_run_with_every_catalog_rule(root):
    log = sarif(sample_report(), root)
    assert_schema_valid(log)
    assert log["version"] == "2.1.0" and len(log["runs"]) == 1
    driver = log["runs"][0]["tool"]["driver"]
    assert (driver["name"], driver["version"], driver["informationUri"]) == (
        "h5lint",
        "0.1.0",
        "https://github.com/h5lint/h5lint",
    )
    assert [r["id"] for r in driver["rules"]] == list(CATALOG)


@pytest.mark.parametrize("version, semantic", [("0.1.0", "0.1.0"), ("1.2.0-rc.1", "1.2.0-rc.1"), ("0.2.0.dev3", None)])
def test_semantic_version_only_when_it_is_semver(root, version, semantic):
    driver = sarif(replace(sample_report(), tool_version=version), root)["runs"][0]["tool"]["driver"]
    assert driver["version"] == version and driver.get("semanticVersion") == semantic


@pytest.mark.parametrize("spec", CATALOG.values(), ids=lambda s: s.code)
def test_rule_metadata_comes_from_the_catalog(spec, root):
    rules = sarif(Report(artifacts=()), root)["runs"][0]["tool"]["driver"]["rules"]
    rule = rules[list(CATALOG).index(spec.code)]
    assert rule["shortDescription"]["text"].rstrip(".") == spec.summary.rstrip(".")
    assert 0 < len(rule["fullDescription"]["text"]) <= 1024
    assert rule["help"]["markdown"] == render_rule_doc(spec)
    assert spec.docs.fix.split()[0] in rule["help"]["text"]
    assert rule["helpUri"] == f"https://github.com/h5lint/h5lint/blob/main/rules/{spec.folder}/rule.toml"
    assert rule["defaultConfiguration"] == {"level": LEVELS[spec.severity]}
    assert rule["name"] != rule["id"] and rule["name"][0].isupper()
    props = rule["properties"]
    assert props["tags"][0] == spec.category and len(props["tags"]) <= 10
    assert set(spec.tags) <= set(props["tags"]) or len(props["tags"]) == 10
    if spec.security_severity:
        assert props["security-severity"] == spec.security_severity and "security" in props["tags"]
    else:
        assert "security-severity" not in props and props["problem.severity"] in ("error", "warning", "recommendation")


# --- results ----------------------------------------------------------------------------------


def test_results_point_at_files_and_logical_locations(root):
    run = sarif(sample_report(), root)["runs"][0]
    index = list(CATALOG)
    first, second, third = run["results"]
    assert first == {
        "ruleId": "H5L101",
        "ruleIndex": index.index("H5L101"),
        "level": "error",
        "message": {"text": f"{LAMBDA.message} Fix: {LAMBDA.fix}."},
        "locations": [
            {
                "physicalLocation": {"artifactLocation": {"uri": CLF, "uriBaseId": "%SRCROOT%"}},
                "logicalLocations": [
                    {"name": "pwn", "fullyQualifiedName": "layer:inner_seq/pwn", "kind": "member"}
                ],
            }
        ],
        "partialFingerprints": {"primaryLocationLineHash": LAMBDA.fingerprint},
    }
    # A finding about the whole file has no logical location; nothing has a (text) region.
    whole_file = {"physicalLocation": {"artifactLocation": {"uri": CLF, "uriBaseId": "%SRCROOT%"}}}
    assert second["locations"] == [whole_file]
    assert second["level"] == "warning"
    assert second["partialFingerprints"] == {"primaryLocationLineHash": MISMATCH.fingerprint}
    assert third["ruleId"] == "H5L001"
    assert third["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == POINTER
    assert "region" not in json.dumps(run["results"])
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": root.resolve().as_uri() + "/"}}
    assert "columnKind" not in run


def test_info_is_a_note_and_every_logical_kind_maps(root):
    kinds = {"output:out_a": "variable", "op:ReadFile": "function", "member:../evil.sh": "resource"}
    findings = tuple(replace(LAMBDA, location=loc, severity=type(LAMBDA.severity)("info")) for loc in kinds)
    report = Report(artifacts=(replace(sample_report().artifacts[0], findings=findings),))
    results = sarif(report, root)["runs"][0]["results"]
    assert [r["level"] for r in results] == ["note"] * 3
    assert [r["locations"][0]["logicalLocations"][0] for r in results] == [
        {"name": "out_a", "fullyQualifiedName": "output:out_a", "kind": "variable"},
        {"name": "ReadFile", "fullyQualifiedName": "op:ReadFile", "kind": "function"},
        {"name": "../evil.sh", "fullyQualifiedName": "member:../evil.sh", "kind": "resource"},
    ]


def test_uris_are_relative_to_the_root_and_percent_encoded(tmp_path):
    log = sarif(_odd_paths_report(tmp_path), tmp_path)
    assert_schema_valid(log)
    locations = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in log["runs"][0]["results"]]
    assert locations == [
        {"uri": "models/a%20b%3Ac%231%25.h5", "uriBaseId": "%SRCROOT%"},
        {"uri": (tmp_path.parent / "elsewhere.h5").resolve().as_uri()},
    ]


def test_default_root_is_the_git_root(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    report = Report(artifacts=(_artifact_at(str(tmp_path / "sub" / "m.h5")),))
    run = json.loads(render("sarif", report))["runs"][0]
    assert run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "sub/m.h5"


def test_folder_artifacts_are_shown_on_their_main_file(tmp_path):
    # The engine names the file a folder artifact is shown on; reporters only render it.
    folder = tmp_path / "export"
    (folder / "variables").mkdir(parents=True)
    (folder / "saved_model.pb").write_bytes(b"\x08\x01")
    (artifact,) = lint_paths([str(folder)], resolve(None, {})).artifacts
    assert artifact.anchor == str(folder / "saved_model.pb")
    report = Report(artifacts=(_artifact_at(str(folder), anchor=artifact.anchor),))
    uri = sarif(report, tmp_path)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert uri == {"uri": "export/saved_model.pb", "uriBaseId": "%SRCROOT%"}


def test_unreadable_files_are_results_and_notifications(root):
    run = sarif(sample_report(), root)["runs"][0]
    assert run["invocations"] == [
        {
            "executionSuccessful": False,
            "toolExecutionNotifications": [
                {
                    "level": "error",
                    "message": {"text": f"{UNREADABLE.message}."},
                    "locations": [
                        {"physicalLocation": {"artifactLocation": {"uri": POINTER, "uriBaseId": "%SRCROOT%"}}}
                    ],
                    "associatedRule": {"id": "H5L001", "index": list(CATALOG).index("H5L001")},
                }
            ],
        }
    ]
    clean = Report(artifacts=sample_report().artifacts[:2])
    assert sarif(clean, root)["runs"][0]["invocations"] == [{"executionSuccessful": True}]


def test_baselined_findings_are_left_out_and_counted(root):
    run = sarif(sample_report(hidden_by_baseline=4), root)["runs"][0]
    assert run["properties"] == {"hiddenByBaseline": 4}
    assert "suppressions" not in json.dumps(run) and "baselineState" not in json.dumps(run)


def test_fingerprints_do_not_depend_on_message_or_severity(root):
    resaved = replace(LAMBDA, message="Different words after a re-save.", severity=type(LAMBDA.severity)("warning"))
    reports = [Report(artifacts=(replace(sample_report().artifacts[0], findings=(f,)),)) for f in (LAMBDA, resaved)]
    hashes = [sarif(r, root)["runs"][0]["results"][0]["partialFingerprints"] for r in reports]
    assert hashes[0] == hashes[1] == {"primaryLocationLineHash": LAMBDA.fingerprint}


# --- real files through the engine, and the validators ----------------------------------------


def _engine_sarif(out: Path) -> Path:
    roots = (SAMPLES, FORMAT_EXAMPLES, SHARED / "realworld" / "files")
    paths = [str(p) for root in roots if root.is_dir() for p in sorted(root.iterdir())]
    empty = out.parent / "empty.h5"
    empty.write_bytes(b"")
    report = lint_paths([*paths, str(empty), str(out.parent / "missing.keras")], resolve())
    out.write_text(render("sarif", report, RenderOptions(source_root=REPO.parent)), encoding="utf-8")
    return out


def _odd_paths_report(root: Path) -> Report:
    """Paths that need percent-encoding, and one outside the source root (an absolute file: URI)."""
    paths = (str(root / "models/a b:c#1%.h5"), str(root.parent / "elsewhere.h5"))
    return Report(artifacts=tuple(_artifact_at(path) for path in paths))


def _artifact_at(path: str, anchor: str | None = None):
    """The first sample artifact moved to ``path``, with one finding."""
    return replace(sample_report().artifacts[0], path=path, anchor=anchor, findings=(replace(MISMATCH, path=path),))


@pytest.fixture(scope="module")
def sarif_files(tmp_path_factory) -> list[Path]:
    """The hand-built reports in one file (each validator run costs seconds), and a real run."""
    folder = tmp_path_factory.mktemp("sarif")
    hand_built = sample_report(2)
    hand_built = replace(hand_built, artifacts=hand_built.artifacts + _odd_paths_report(folder).artifacts)
    path = folder / "hand-built.sarif"
    path.write_text(render("sarif", hand_built, RenderOptions(source_root=folder)), encoding="utf-8")
    return [path, _engine_sarif(folder / "engine.sarif")]


def test_engine_output_matches_the_sarif_schema(sarif_files):
    for path in sarif_files:
        log = json.loads(path.read_text(encoding="utf-8"))
        assert_schema_valid(log)
        assert log["runs"][0]["results"], path


def _multitool() -> Path | None:
    platform = {"linux": "linux", "darwin": "darwin", "win32": "win32"}.get(sys.platform)
    name = "Sarif.Multitool.exe" if sys.platform == "win32" else "Sarif.Multitool"
    binary = MULTITOOL_DIR / f"sarif-multitool-{platform}" / name
    return binary if binary.is_file() else None


@pytest.mark.slow
def test_microsoft_sarif_validator_reports_no_errors(sarif_files, tmp_path):
    binary = _multitool()
    if binary is None:
        message = "SARIF multitool missing; run: npm install --prefix .cache/sarif-multitool @microsoft/sarif-multitool"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    # Run the .NET binary directly: the npm wrapper passes arguments through a shell, which splits
    # "Sarif;Gh" at the semicolon. Its exit status is 0 even when it reports errors, so read its output.
    proc = subprocess.run(
        [str(binary), "validate", *map(str, sarif_files), "--rule-kind", "Sarif;Gh", "-o", str(tmp_path / "out.sarif")],
        capture_output=True,
        text=True,
        timeout=300,
        # A self-contained .NET app; invariant globalization spares it a system ICU library.
        env={**os.environ, "DOTNET_CLI_TELEMETRY_OPTOUT": "1", "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT": "1"},
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0 and f"Done. {len(sarif_files)} files scanned." in output, output
    assert "Analysis completed successfully" in output, output
    errors = [line for line in output.splitlines() if re.search(r"\berror [A-Z]+[0-9]+\b", line)]
    assert errors == [], "\n".join(errors)


# --- GitHub Action ----------------------------------------------------------------------------

ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))


def test_action_inputs_and_steps():
    assert set(ACTION["inputs"]) == {"paths", "args", "fail-on", "sarif-file", "category", "upload", "python-version"}
    setup = next(s for s in ACTION["runs"]["steps"] if s.get("uses", "").startswith("actions/setup-python@"))
    # v6 runs on a Node version GitHub's runners still have; the job's own Python stays as it was.
    assert setup["uses"] == "actions/setup-python@v6" and setup["with"]["update-environment"] is False
    assert ACTION["runs"]["using"] == "composite"
    steps = ACTION["runs"]["steps"]
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert upload["with"] == {"sarif_file": "${{ inputs.sarif-file }}", "category": "${{ inputs.category }}"}
    assert "!cancelled()" in upload["if"]
    # The exit status is applied after the upload, so findings are uploaded before the step fails.
    assert steps.index(upload) < len(steps) - 1 and "exit" in steps[-1]["run"]
    for step in steps:
        if "run" in step:
            assert "${{" not in step["run"], f"step {step['name']!r} interpolates an expression into its script"
            assert step["shell"] == "bash"


def _run_lint_step(tmp_path, upload: str) -> subprocess.CompletedProcess:
    step = next(s for s in ACTION["runs"]["steps"] if s.get("id") == "lint")
    (tmp_path / "models").mkdir(exist_ok=True)
    (tmp_path / "models" / "empty model.h5").write_bytes(b"")
    (tmp_path / "models" / "x\n::error::forged.h5").write_bytes(b"")
    env = {
        **os.environ,
        "GITHUB_OUTPUT": str(tmp_path / "github_output"),
        "H5LINT_VENV": sys.prefix,  # the step runs h5lint from the venv the install step made
        "H5LINT_PATHS": "models",
        "H5LINT_ARGS": "--select H5L001",
        "H5LINT_FAIL_ON": "error",
        "H5LINT_SARIF": "out.sarif",
        "H5LINT_UPLOAD": upload,
    }
    return subprocess.run(["bash", "-c", step["run"]], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.skipif(
    not (Path(sys.prefix) / "bin" / "h5lint").exists(), reason="needs h5lint installed in a virtual environment"
)
def test_action_lint_step_uploads_sarif_and_logs_counts_only(tmp_path):
    proc = _run_lint_step(tmp_path, "true")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "github_output").read_text() == "exit-code=1\nsarif-written=true\n"
    assert proc.stdout == "h5lint: H5L001 [error]: 2\nh5lint: 2 findings in out.sarif, exit status 1\n"
    assert_schema_valid(json.loads((tmp_path / "out.sarif").read_text(encoding="utf-8")))


@pytest.mark.skipif(
    not (Path(sys.prefix) / "bin" / "h5lint").exists(), reason="needs h5lint installed in a virtual environment"
)
def test_action_lint_step_without_upload_writes_escaped_annotations(tmp_path):
    proc = _run_lint_step(tmp_path, "false")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "github_output").read_text() == "exit-code=1\nsarif-written=false\n"
    commands = [line for line in proc.stdout.splitlines() if line.startswith("::")]
    assert len(commands) == 2 and all(line.startswith("::error file=models/") for line in commands)
    assert not (tmp_path / "out.sarif").exists()
