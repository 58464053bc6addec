"""The command line: exit codes, formats on stdout, colour, help for every option, `h5lint PATH` = check."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import SAMPLES
from typer.main import get_command
from typer.testing import CliRunner

from h5lint import cli
from h5lint import runner as check_runner
from h5lint.cli import app, main
from h5lint.project import find_project

runner = CliRunner()
CLEAN = str(SAMPLES / "tfk_sigmoid_head_bce.h5")  # no finding against the default target


def shown(path: str | Path) -> str:
    """How reports name ``path``: relative to the project root around the working directory."""
    return find_project(None).relative(path)


def check(*args: str, **kwargs):
    return runner.invoke(app, ["check", *args], **kwargs)


@pytest.fixture
def empty(tmp_path) -> str:
    path = tmp_path / "empty.h5"
    path.write_bytes(b"")
    return str(path)


@pytest.fixture
def misnamed(tmp_path) -> str:
    """HDF5 bytes named .keras: one H5L003 warning and nothing else."""
    path = tmp_path / "model.keras"
    shutil.copy(CLEAN, path)
    return str(path)


# --- exit codes -------------------------------------------------------------------------------


def test_clean_model_exits_0():
    result = check(CLEAN)
    assert result.exit_code == 0, result.output
    assert result.stdout == "1 artifact checked: 0 findings (0 errors, 0 warnings, 0 info).\n"
    full = check(CLEAN, "--output-format", "full")
    assert full.stdout == (
        f"{shown(CLEAN)} (h5-full, keras 2.21.0, backend tensorflow): no findings\n\n"
        "1 artifact checked: 0 findings (0 errors, 0 warnings, 0 info).\n"
    )


def test_error_finding_exits_1(empty):
    result = check(empty)
    assert result.exit_code == 1
    # concise: the line starts with the path, so the message does not say it again
    assert f"{empty}: H5L001 [error] the file is empty (0 bytes)." in result.stdout
    full = check(empty, "--output-format", "full").stdout
    assert f"{empty}: H5L001 [error] {empty}: the file is empty (0 bytes)." in full


@pytest.mark.parametrize(
    "fail_on, code",
    [(None, 1), ("warning", 1), ("info", 1), ("error", 0)],
)
def test_fail_on_sets_the_threshold(misnamed, fail_on, code):
    args = [misnamed] + (["--fail-on", fail_on] if fail_on else [])
    result = check(*args)
    assert f"{misnamed}: H5L003 [warning]" in result.stdout
    assert result.exit_code == code


def test_fail_on_from_the_configuration_file(misnamed, tmp_path, monkeypatch):
    # The configuration is the project's that runs h5lint (the working directory upward), not the scanned one's.
    (tmp_path / "h5lint.toml").write_text('fail-on = "error"\n', encoding="utf-8")
    assert check(misnamed).exit_code == 1
    monkeypatch.chdir(tmp_path)
    assert check(misnamed).exit_code == 0
    assert check(misnamed, "--fail-on", "warning").exit_code == 1  # the flag wins


def test_exit_zero(empty):
    result = check(empty, "--exit-zero")
    assert result.exit_code == 0 and "H5L001" in result.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["--format", "xml"], "Invalid value for '--output-format' / '--format' / '-f': 'xml'"),
        (["--fail-on", "fatal"], "Invalid value for '--fail-on'"),
        (["--select", "NOPE"], "'NOPE' matches no rule"),
        (["--config", "/nonexistent/h5lint.toml"], "/nonexistent/h5lint.toml: configuration file not found"),
    ],
)
def test_usage_and_configuration_errors_exit_2(empty, args, message):
    result = check(empty, *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_internal_error_exits_2(empty, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("engine exploded")

    monkeypatch.setattr(check_runner, "scan", broken)
    result = check(empty)
    assert result.exit_code == 2
    assert "h5lint: error: internal error (RuntimeError: engine exploded)" in result.stderr
    assert "Traceback" in result.stderr


# --- formats and output -----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_machine_formats_put_one_document_on_stdout(empty, tmp_path, fmt):
    baseline = tmp_path / "baseline.json"
    result = check(empty, CLEAN, "--format", fmt, "--write-baseline", str(baseline))
    assert result.exit_code == 0
    json.loads(result.stdout)  # nothing but the document
    assert "recorded 1 finding" in result.stderr


def test_github_format(empty):
    result = check(empty, "-f", "github")
    assert result.stdout.startswith("::error file=")
    assert ",title=H5L001 unreadable-model::" in result.stdout


def test_output_file_leaves_stdout_empty(empty, tmp_path):
    out = tmp_path / "report.json"
    result = check(empty, "--format", "json", "--output", str(out))
    assert result.exit_code == 1 and result.stdout == ""
    assert json.loads(out.read_text(encoding="utf-8"))["summary"]["findings"] == 1


def test_quiet_statistics_and_versions_flags(empty):
    quiet = check(empty, CLEAN, "--quiet").stdout
    assert quiet == f"{empty}: H5L001 [error] the file is empty (0 bytes).\n"
    stats = check(empty, "--statistics").stdout
    assert "Findings by rule:\n  1  H5L001  unreadable-model\n" in stats
    assert check(CLEAN, "--show-versions").stdout.startswith(f"{shown(CLEAN)}: versions: format=h5-full, layout=")
    versions = check(CLEAN, "--show-versions", "-f", "full").stdout.splitlines()[1]
    assert versions.startswith("    versions: format=h5-full, layout=")  # the layout is the parser's word
    assert versions.endswith(
        ", keras_version=2.21.0, backend=tensorflow, tensorflow_version=-, tensorflow_git_version=-, "
        "writer=tf-keras, producer=-"
    )


# --- colour -----------------------------------------------------------------------------------


class _Terminal:
    def __init__(self, tty: bool) -> None:
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(
    "choice, tty, env, output, expected",
    [
        ("auto", True, {}, None, True),
        ("auto", True, {"NO_COLOR": "1"}, None, False),
        ("auto", False, {}, None, False),
        ("auto", True, {}, "r.txt", False),
        ("auto", False, {"FORCE_COLOR": "1"}, None, True),
        ("always", False, {"NO_COLOR": "1"}, "r.txt", True),
        ("never", True, {"FORCE_COLOR": "1"}, None, False),
    ],
)
def test_colour(monkeypatch, choice, tty, env, output, expected):
    monkeypatch.setattr(cli.sys, "stdout", _Terminal(tty))
    for name in ("NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert cli._want_color(cli.Color(choice), output) is expected


def test_no_colour_when_piped(empty):
    assert "\x1b[" not in check(empty).stdout


# --- help and the implicit check command ------------------------------------------------------


@pytest.mark.parametrize("args", [[], ["--help"], ["-h"], ["help"]])
def test_the_commands_on_one_screen(args, capsys):
    with pytest.raises(SystemExit) as exited:
        main(args)
    text = capsys.readouterr().out
    assert exited.value.code in (0, 2) and text.startswith("Usage: h5lint [OPTIONS] COMMAND")
    assert len(text.splitlines()) < 25
    listed = [line.split()[0] for line in text.split("Commands:\n", 1)[1].splitlines() if line.startswith("  ")]
    assert listed[0] == "check"  # the default command comes first
    assert set(listed) >= {"check", "rules", "explain", "inspect", "fix", "help", "version"}


@pytest.mark.parametrize("args", [["version"], ["--version"], ["-V"]])
def test_version_is_not_taken_for_a_file(args, capsys):
    with pytest.raises(SystemExit) as exited:
        main(args)
    assert exited.value.code == 0 and capsys.readouterr().out.startswith("h5lint ")


def test_paths_from_stdin(empty):
    result = check("-", input=f"{empty}\n{CLEAN}\n")
    assert result.exit_code == 1 and "2 artifacts checked" in result.stdout


def test_statistics_belong_to_the_text_formats(empty):
    result = check(empty, "--statistics", "--format", "json")
    assert result.exit_code == 2 and "belong to concise/full output" in result.stderr


def test_help_documents_every_option(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["check", "--help"])
    assert exited.value.code == 0
    text = capsys.readouterr().out
    assert "Usage: h5lint check" in text
    command = get_command(app).commands["check"]
    for param in command.params:
        for opt in param.opts:
            if opt.startswith("-"):
                assert opt in text, f"{opt} is missing from h5lint --help"
        assert param.help, f"{param.name} has no help text"
    for phrase in ("Exit status: 0", "NO_COLOR", "[tool.h5lint]", "h5lint --version"):
        assert phrase in text


def test_main_maps_paths_to_check(empty, capsys):
    with pytest.raises(SystemExit) as exited:
        main([empty, "--quiet"])
    assert exited.value.code == 1
    assert capsys.readouterr().out == f"{empty}: H5L001 [error] the file is empty (0 bytes).\n"


def test_jobs_reach_the_engine(empty, monkeypatch):
    seen = []
    real = check_runner.scan
    monkeypatch.setattr(check_runner, "scan", lambda *args, jobs, **rest: seen.append(jobs) or real(*args, jobs=jobs, **rest))
    check(empty, "--jobs", "3")
    check(empty)
    assert seen == [3, check_runner.default_jobs()]


def test_main_version(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.startswith("h5lint ")


def test_a_crashing_check_is_an_internal_error_not_a_lost_run(tmp_path, monkeypatch, capsys):
    """Other rules still report; the run exits 2 and names the rule and the file."""
    import h5lint.lint as lint
    from h5lint.runner import CheckRequest, run_check

    def broken(model, ctx):
        raise ValueError("boom")

    real = dict(lint.all_checks())
    monkeypatch.setattr(lint, "all_checks", lambda: {**real, "H5L502": broken})
    model = SAMPLES / "tfk_sigmoid_head_bce.h5"
    code = run_check(CheckRequest(paths=(str(model),), output_format="json", jobs=1))
    out = capsys.readouterr()
    assert code == 2
    assert "internal error in rule H5L502: ValueError: boom" in out.err
    assert shown(model) in out.err
