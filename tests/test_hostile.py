"""Hostile input: h5lint ends every run with findings, within its budgets, and touches nothing.

A per-file time limit, size/depth/count budgets of the parsers, files that are not regular files,
link loops, unreadable and vanishing files, odd names; scanned files are never written, and code
stored in them (Lambda bytecode, module references) never runs.
"""

from __future__ import annotations

import json
import signal
import sys
import time

import pytest

from h5lint import engine
from h5lint.cli import main
from h5lint.engine import DEFAULT_TIMEOUT, lint_paths, within_time
from h5lint.parsers import json_model
from h5lint.settings import resolve

from conftest import SAMPLES

SETTINGS = resolve(None, {"select": ["ALL"]})
CLEAN_H5 = SAMPLES / "tfk_sigmoid_head_bce.h5"
CLEAN_ARCH = SAMPLES / "tfk_sigmoid_head_bce_arch.json"
HAS_ALARM = hasattr(signal, "setitimer")


def lint(*paths, timeout: float = 10.0, jobs: int = 1):
    return lint_paths([str(p) for p in paths], SETTINGS, jobs=jobs, timeout=timeout)


def located(report) -> list[tuple[str, str, str | None]]:
    """(artifact path, code, location) of every finding, and no crashed rule anywhere."""
    assert [a.errors for a in report.artifacts if a.errors] == []
    return [(a.path, f.code, f.location) for a in report.artifacts for f in a.findings]


# --- the per-file time limit ----------------------------------------------------------------------


@pytest.fixture
def hanging_json(monkeypatch, tmp_path):
    """A JSON model whose parser never returns (as a parser without a budget would on some input)."""

    def hang(path, *args, **kwargs):
        time.sleep(60)

    monkeypatch.setattr(json_model, "read", hang)
    path = tmp_path / "model.json"
    path.write_bytes(CLEAN_ARCH.read_bytes())
    return path


@pytest.mark.skipif(not HAS_ALARM, reason="the time limit needs interval timers (Unix)")
def test_a_file_over_the_time_limit_is_H5L001_and_the_run_goes_on(hanging_json):
    started = time.monotonic()
    report = lint(hanging_json, CLEAN_H5, timeout=0.3)
    assert time.monotonic() - started < 5
    assert located(report) == [(str(hanging_json), "H5L001", "file")]
    (finding,) = report.artifacts[0].findings
    assert finding.message == (
        f"{hanging_json}: reading and checking it took longer than 0.3 s, h5lint's per-file time limit"
    )
    assert finding.fix.startswith("raise the limit with --timeout SECONDS (0 turns it off)")
    assert report.artifacts[1].readable


@pytest.mark.skipif(not HAS_ALARM, reason="the time limit needs interval timers (Unix)")
def test_the_time_limit_holds_in_worker_processes(hanging_json, tmp_path):
    other = tmp_path / "other" / "model.json"
    other.parent.mkdir()
    other.write_bytes(hanging_json.read_bytes())
    started = time.monotonic()
    report = lint(hanging_json, other, timeout=0.3, jobs=2)
    assert time.monotonic() - started < 10
    assert located(report) == [(str(hanging_json), "H5L001", "file"), (str(other), "H5L001", "file")]


def _swallow_one_alarm(then_sleep: float) -> str:
    try:
        time.sleep(5)
    except BaseException:  # noqa: BLE001 - what a careless library does
        pass
    time.sleep(then_sleep)
    return "cut short"


@pytest.mark.skipif(not HAS_ALARM, reason="the time limit needs interval timers (Unix)")
@pytest.mark.parametrize("then_sleep", [5, 0])
def test_an_alarm_swallowed_by_the_work_still_ends_it(then_sleep):
    # h5py turns an exception raised in its Python file callbacks into an HDF5 error, which the
    # parsers catch: one alarm can be lost that way, so the alarm repeats until the work gives up,
    # and work that returns after swallowing one may be incomplete, so its result is not used.
    started = time.monotonic()
    assert within_time(0.2, lambda: _swallow_one_alarm(then_sleep)) is None
    assert time.monotonic() - started < 2


@pytest.mark.skipif(not HAS_ALARM, reason="the time limit needs interval timers (Unix)")
def test_the_time_limit_puts_back_the_previous_handler_and_timer():
    def mine(signum, frame):
        raise AssertionError("the outer timer must not fire during the test")

    previous = signal.signal(signal.SIGALRM, mine)
    try:
        signal.setitimer(signal.ITIMER_REAL, 100)
        assert within_time(5, lambda: 42) == 42
        assert within_time(0, lambda: 43) == 43  # 0: no limit
        assert signal.getsignal(signal.SIGALRM) is mine
        remaining, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 90 < remaining <= 100
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.skipif(not HAS_ALARM, reason="the time limit needs interval timers (Unix)")
def test_cli_timeout_option(hanging_json, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["check", "--timeout", "0.2", "--format", "json", "--jobs", "1", str(hanging_json)])
    assert exited.value.code == 1
    (finding,) = json.loads(capsys.readouterr().out)["findings"]
    assert (finding["path"], finding["code"], finding["location"]) == (str(hanging_json), "H5L001", "file")
    assert "took longer than 0.2 s, h5lint's per-file time limit" in finding["message"]


def test_cli_help_documents_the_timeout(capsys):
    with pytest.raises(SystemExit):
        main(["check", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "--timeout SECONDS" in help_text
    assert f"(default: {DEFAULT_TIMEOUT:g})" in help_text
    assert "0: no limit" in help_text


def test_without_an_alarm_the_work_just_runs(monkeypatch):
    monkeypatch.setattr(engine, "_can_alarm", lambda: False)  # Windows, or a thread other than the main one
    assert within_time(0.01, lambda: time.sleep(0.05) or "done") == "done"
