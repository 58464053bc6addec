"""h5lint on a terminal (a pty): findings stream and a progress line shows while the run goes on; piped output has
neither colour nor progress; Ctrl-C ends a run with exit 130 and no traceback; a reader that leaves the pipe
ends it quietly.

The runs are ``gated_h5lint.py``: after its first artifact h5lint waits for a line on a pipe, so what the
screen shows mid-run is read while the run provably has not finished, with no timing involved.
"""

from __future__ import annotations

import json
import os
import pty
import re
import select
import signal
import subprocess
import sys
from pathlib import Path

import pytest

GATED = Path(__file__).with_name("gated_h5lint.py")
ANSI = re.compile(rb"\x1b\[[0-9;]*[A-Za-z]")
# Only a guard against a hung child; no assertion depends on how long anything takes.
HANG_GUARD = 120


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "CI")}
    return {**env, "TERM": "xterm", "PYTHONPATH": os.pathsep.join(filter(None, (str(GATED.parent), env.get("PYTHONPATH"))))}


class Run:
    """A gated h5lint whose stderr (and stdout unless piped) is a terminal."""

    def __init__(self, cwd: Path, *args: str, stdout_piped: bool = False) -> None:
        self.master, slave = pty.openpty()
        self.gate_read, self.gate = os.pipe()
        self.proc = subprocess.Popen(
            [sys.executable, str(GATED), str(self.gate_read), *args],
            cwd=cwd,
            env=_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE if stdout_piped else slave,
            stderr=slave,
            pass_fds=(self.gate_read,),
            start_new_session=True,  # its own process group, as a shell runs a foreground job
            # A foreground job gets Ctrl-C even when pytest itself was started in the background (nohup, `&`),
            # which leaves SIGINT ignored for every child: Python then never raises KeyboardInterrupt.
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        os.close(slave)
        os.close(self.gate_read)
        self.screen = b""

    def read_until(self, wanted: bytes) -> bytes:
        while wanted not in ANSI.sub(b"", self.screen):
            ready, _, _ = select.select([self.master], [], [], HANG_GUARD)
            assert ready, f"h5lint printed nothing for {HANG_GUARD} s; screen so far: {self.screen!r}"
            self.screen += os.read(self.master, 65536)
        return self.screen

    def release(self) -> None:
        os.write(self.gate, b"go\n")

    def finish(self) -> tuple[int, bytes]:
        os.close(self.gate)
        code = self.proc.wait(timeout=HANG_GUARD)
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # EIO: every writer of the terminal is gone
                break
            if not chunk:
                break
            self.screen += chunk
        os.close(self.master)
        return code, self.screen


@pytest.fixture
def broken(tmp_path) -> Path:
    """Three unreadable models: a finding each, read in this order."""
    for name in ("a.h5", "b.h5", "c.h5"):
        (tmp_path / name).write_bytes(b"")
    return tmp_path


def test_on_a_terminal_findings_stream_under_a_progress_line(broken):
    run = Run(broken, "a.h5", "b.h5", "c.h5")
    mid_run = ANSI.sub(b"", run.read_until(b"1 checked"))
    # the first artifact's finding is on screen, the others are not checked yet, the progress line is drawn
    assert b"a.h5: H5L001 [error] the file is empty" in mid_run
    assert b"b.h5" not in mid_run and b"artifacts checked" not in mid_run
    assert b"h5lint: 1 checked, 1 findings" in mid_run and b"\x1b[K" in run.screen
    run.release()
    code, screen = run.finish()
    text = ANSI.sub(b"", screen).decode()
    assert code == 1
    assert text.index("a.h5: H5L001") < text.index("b.h5: H5L001") < text.index("c.h5: H5L001")
    assert "3 artifacts checked (3 unreadable): 3 findings" in text
    # the progress line is wiped before the report goes on and once the run is over: the summary is the last line
    assert text.replace("\r", "").rstrip().splitlines()[-1].endswith("(3 errors, 0 warnings, 0 info).")
    assert b"\x1b[1;31m" in screen  # colour on a terminal


def test_piped_output_has_no_progress_and_no_colour(broken):
    proc = subprocess.run(
        [sys.executable, "-m", "h5lint", "a.h5", "b.h5", "c.h5"], cwd=broken, env=_env(), capture_output=True, timeout=HANG_GUARD
    )
    assert proc.returncode == 1 and b"3 artifacts checked" in proc.stdout
    assert proc.stderr == b""
    assert b"\x1b" not in proc.stdout


def test_force_color_colours_piped_output(broken):
    env = {**_env(), "FORCE_COLOR": "1"}
    proc = subprocess.run([sys.executable, "-m", "h5lint", "a.h5"], cwd=broken, env=env, capture_output=True, timeout=HANG_GUARD)
    assert b"\x1b[1;31m[error]\x1b[0m" in proc.stdout and proc.stderr == b""


@pytest.mark.parametrize("output_format", ["concise", "json"])
def test_ctrl_c_exits_130_with_what_was_checked_and_no_traceback(broken, output_format):
    run = Run(broken, "a.h5", "b.h5", "c.h5", "--output-format", output_format, stdout_piped=output_format == "json")
    run.read_until(b"1 checked")
    os.killpg(run.proc.pid, signal.SIGINT)  # what the terminal does on Ctrl-C: the whole foreground group
    stdout = run.proc.stdout.read() if run.proc.stdout else b""
    code, screen = run.finish()
    text = ANSI.sub(b"", screen).decode()
    assert code == 130
    assert "h5lint: interrupted after 1 artifacts" in text
    for noise in ("Traceback", "Exception ignored", "KeyboardInterrupt"):
        assert noise not in text
    if output_format == "json":  # the document still closes, with what was checked
        assert json.loads(stdout)["summary"]["artifacts"] == 1
    else:
        assert "a.h5: H5L001" in text and "1 artifact checked (1 unreadable)" in text


def test_a_reader_that_leaves_the_pipe_ends_the_run_quietly(broken):
    """``h5lint models/ | head -1``: no traceback, no "Broken pipe" error."""
    run = Run(broken, "a.h5", "b.h5", "c.h5", stdout_piped=True)
    assert run.proc.stdout.readline().startswith(b"a.h5: H5L001")
    run.proc.stdout.close()  # head -1 is done
    run.release()
    code, screen = run.finish()
    assert b"Traceback" not in screen and b"Broken pipe" not in screen and b"Exception ignored" not in screen
    assert code == 1
