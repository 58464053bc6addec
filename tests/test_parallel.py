"""--jobs N lints in worker processes, and the output is byte for byte that of a serial run."""

from __future__ import annotations

import pytest
from conftest import FORMAT_EXAMPLES, REALWORLD
from typer.testing import CliRunner

from h5lint.cli import app
from h5lint.engine import lint_paths
from h5lint.reporters import RenderOptions, render
from h5lint.settings import resolve

pytestmark = pytest.mark.needs_shared  # every run here scans the shared corpora
PATHS = [str(REALWORLD / "files"), str(FORMAT_EXAMPLES)]
FORMATS = ("text", "json", "sarif", "github")


@pytest.fixture(scope="module")
def reports():
    settings = resolve(None, {})
    return {jobs: lint_paths(PATHS, settings, jobs=jobs) for jobs in (1, 2)}


def test_parallel_run_reports_every_artifact_in_discovery_order(reports):
    serial, parallel = reports[1], reports[2]
    assert len(serial.artifacts) > 64  # the real-world files and the format examples
    assert [a.path for a in parallel.artifacts] == [a.path for a in serial.artifacts]
    assert parallel == serial


@pytest.mark.parametrize("output_format", FORMATS)
def test_parallel_output_is_identical_to_serial(reports, output_format):
    options = RenderOptions(statistics=True, show_versions=True)
    serial = render(output_format, reports[1], options)
    assert render(output_format, reports[2], options) == serial
    assert serial  # a real report, not two empty strings


def test_more_jobs_than_artifacts():
    files = sorted(str(p) for p in FORMAT_EXAMPLES.glob("*.h5"))[:3]
    settings = resolve(None, {"select": ["H5L2"]})
    assert lint_paths(files, settings, jobs=8) == lint_paths(files, settings, jobs=1)


def test_cli_jobs_2_prints_what_jobs_1_prints():
    runner = CliRunner()
    args = ["check", "--format", "sarif", "--exit-zero", str(REALWORLD / "files")]
    serial = runner.invoke(app, [*args, "--jobs", "1"])
    parallel = runner.invoke(app, [*args, "--jobs", "2"])
    assert serial.exit_code == parallel.exit_code == 0
    assert parallel.stdout == serial.stdout
    assert '"results"' in serial.stdout
