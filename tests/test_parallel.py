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


def _signal_state(_task) -> tuple[bool, bool]:
    """In a worker: whether SIGINT is ignored, and whether it is still blocked."""
    import signal

    return signal.getsignal(signal.SIGINT) == signal.SIG_IGN, signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, [])


def test_workers_ignore_ctrl_c_from_their_first_instruction_and_the_parent_does_not():
    """A worker is started with SIGINT blocked (so it inherits the block through fork), ignores it, then
    unblocks it: a Ctrl-C that reaches the process group while a worker is being started is dropped there
    instead of printing its traceback. The parent's mask is restored, so the parent still gets Ctrl-C."""
    import signal

    from h5lint.workers import Supervisor

    supervisor = Supervisor(2, _signal_state, lambda task, why: why, None)
    real_process = supervisor._context.Process
    blocked_at_start: list[bool] = []

    class Recording(real_process):  # type: ignore[misc, valid-type]
        def start(self):
            blocked_at_start.append(signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, []))
            super().start()

    supervisor._context = type("Context", (), {"Process": Recording, "Pipe": staticmethod(supervisor._context.Pipe)})()
    before = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    assert list(supervisor.run(range(4))) == [(True, False)] * 4
    assert blocked_at_start and all(blocked_at_start)
    assert signal.pthread_sigmask(signal.SIG_BLOCK, []) == before
