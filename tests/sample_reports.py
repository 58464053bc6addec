"""Hand-built reports for reporter tests: reporters must work on any Report, whatever the rules do."""

from __future__ import annotations

from h5lint.catalog import load_catalog
from h5lint.findings import ArtifactReport, Finding, Report, Severity
from h5lint.ir import VersionTags
from h5lint.lint import fingerprint

CLF = "models/clf.h5"
OK = "models/ok.keras"
POINTER = "models/ptr.h5"
LFS_MESSAGE = f"{POINTER}: this is a Git LFS pointer (a small text file), not the model itself"


def finding(code: str, severity: str, message: str, path: str, location: str | None, fix: str | None = None) -> Finding:
    return Finding(
        code=code,
        name=load_catalog()[code].name,
        severity=Severity(severity),
        message=message,
        path=path,
        location=location,
        fix=fix,
        fingerprint=fingerprint(code, path, location),
    )


def artifact(path: str, fmt: str | None, versions: VersionTags, *findings: Finding, layout: str | None = None):
    return ArtifactReport(
        path=path,
        format=fmt,
        layout=layout,
        versions=versions,
        findings=tuple(findings),
        readable=fmt is not None,
    )


LAMBDA = finding(
    "H5L101",
    "error",
    "Lambda layer 'pwn' stores Python bytecode that calls 'os.system'.",
    CLF,
    "layer:inner_seq/pwn",
    fix="replace the Lambda layer with a registered custom layer",
)
MISMATCH = finding("H5L003", "warning", "Named '.h5' but is a zip archive.", CLF, "file")
UNREADABLE = finding("H5L001", "error", LFS_MESSAGE, POINTER, "file", fix="run 'git lfs pull'")


def sample_report(hidden_by_baseline: int = 0) -> Report:
    """Three artifacts: one with findings, one clean, one unreadable (an LFS pointer)."""
    return Report(
        artifacts=(
            artifact(
                CLF,
                "h5-full",
                VersionTags(
                    keras_version="2.15.0",
                    backend="tensorflow",
                    tensorflow_version="2.15.0",
                    tensorflow_git_version="v2.15.0-rc1-8-g6887368d6d4",
                    writer="tf.keras",
                ),
                LAMBDA,
                MISMATCH,
                layout="legacy-h5",
            ),
            artifact(OK, "keras-zip", VersionTags(keras_version="3.4.1", backend="jax", writer="keras-3")),
            artifact(POINTER, None, VersionTags(), UNREADABLE),
        ),
        rules_run=("H5L001", "H5L003", "H5L101"),
        hidden_by_baseline=hidden_by_baseline,
        tool_version="0.1.0",
    )
