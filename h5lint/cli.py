"""Command line: turn arguments into a request, run it, exit.

``h5lint PATH...`` is short for ``h5lint check PATH...``; ``h5lint`` alone, ``h5lint help`` and
``h5lint --help`` show the commands; ``h5lint version``, ``--version`` and ``-V`` print the version.
"""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from . import __version__, exitcodes
from .reporters import REPORTERS

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Lint saved Keras/TensorFlow models (HDF5, .keras, SavedModel, TF.js) without importing TensorFlow.",
    context_settings={"help_option_names": ["-h", "--help"]},
    # Plain click help: Rich markup would eat "[tool.h5lint]" and keep the docstrings' hard line breaks.
    rich_markup_mode=None,
)

SUBCOMMANDS = ("check", "rules", "explain", "fix", "inspect", "help", "version")

# One choice per reporter.
OutputFormat = Enum("OutputFormat", {name: name for name in REPORTERS}, type=str)


class Color(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


class FailOn(str, Enum):
    error = "error"
    warning = "warning"
    info = "info"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"h5lint {__version__}")
        raise typer.Exit(exitcodes.OK)


@app.callback()
def _main(
    version: bool = typer.Option(
        False, "--version", "-V", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """h5lint PATH... scans model files and folders (short for 'h5lint check PATH...')."""


def _fail(message: str) -> None:
    typer.echo(f"h5lint: error: {message}", err=True)
    raise typer.Exit(exitcodes.ERROR)


@app.command()
def check(
    paths: List[str] = typer.Argument(
        ..., help="Model files and folders (searched recursively); '-' reads paths from stdin, one per line."
    ),
    output_format: OutputFormat = typer.Option(
        OutputFormat("concise"),
        "--output-format",
        "--format",
        "-f",
        help="concise (one line per finding, the default), full (whole messages and fixes), json (schema: "
        "h5lint/schemas/report.schema.json), sarif (SARIF 2.1.0 for GitHub code scanning), github (GitHub "
        "Actions annotations), gitlab (GitLab code quality), junit (JUnit XML: a test case per artifact). "
        "'text' is 'full'.",
    ),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the report to FILE instead of stdout."),
    select: Optional[List[str]] = typer.Option(
        None, "--select", help="Rules to run: codes, prefixes (H5L1), names or ALL. Repeatable, or comma-separated."
    ),
    extend_select: Optional[List[str]] = typer.Option(None, "--extend-select", help="Rules to add to the selection."),
    ignore: Optional[List[str]] = typer.Option(None, "--ignore", help="Rules not to run (wins over --select)."),
    target: Optional[str] = typer.Option(
        None,
        "--target",
        help="Runtime the models must load in, e.g. 'keras>=3', 'tf-keras==2.15' or 'keras==3.8; backend=torch; "
        "python==3.11'.",
    ),
    custom_object: Optional[List[str]] = typer.Option(
        None, "--custom-object", help="A custom object name the project registers itself (silences H5L301)."
    ),
    config: Optional[str] = typer.Option(
        None, "--config", help="Configuration file (default: nearest h5lint.toml or pyproject.toml [tool.h5lint])."
    ),
    fail_on: Optional[FailOn] = typer.Option(
        None, "--fail-on", help="Lowest severity that makes the exit status 1 (default: warning)."
    ),
    exit_zero: bool = typer.Option(False, "--exit-zero", help="Exit 0 even when findings are reported."),
    quiet: bool = typer.Option(
        False,
        "--quiet",
        "-q",
        help="concise/full: print only the finding lines (no headers, fix hints or summary); no progress line.",
    ),
    statistics: bool = typer.Option(
        False, "--statistics", help="concise/full: also print how many findings each rule reported."
    ),
    show_versions: bool = typer.Option(
        False,
        "--show-versions",
        help="concise/full: print every artifact's version tags (format, layout, keras_version, backend, "
        "tensorflow_version, tensorflow_git_version, writer, producer); json always has them.",
    ),
    show_skipped: bool = typer.Option(
        False,
        "--show-skipped",
        help="List the files found in folders that are not models (HDF5 data sets, other zips, JSON data) "
        "and were skipped; the summary always counts them.",
    ),
    skip_non_models: bool = typer.Option(
        False,
        "--skip-non-models",
        help="Skip also named files that reading shows are not models (HDF5 data sets, other zips, JSON data), as "
        "in folders; a broken model stays an error. The pre-commit hook sets it, as it names every .h5 file.",
    ),
    respect_gitignore: bool = typer.Option(
        True, "--respect-gitignore/--no-respect-gitignore", help="Skip what .gitignore files ignore."
    ),
    force_exclude: bool = typer.Option(
        False, "--force-exclude", help="Apply exclude also to paths named on the command line (pre-commit)."
    ),
    color: Color = typer.Option(
        Color.auto, "--color", help="Colour concise/full output: auto (on a terminal, unless NO_COLOR), always, never."
    ),
    show_load: bool = typer.Option(
        False,
        "--show-load",
        help="concise/full: print the call that loads each artifact in the target runtime, or why none can "
        "(json always has it, as 'load').",
    ),
    baseline: Optional[Path] = typer.Option(
        None,
        "--baseline",
        help="Hide the findings recorded in this baseline file (see --write-baseline); the summary says how many.",
    ),
    write_baseline: Optional[Path] = typer.Option(
        None,
        "--write-baseline",
        help="Record the current findings in FILE (versioned JSON, matched by fingerprint: rule + path + "
        "location) and exit 0; later runs with --baseline FILE report only new findings.",
    ),
    jobs: Optional[int] = typer.Option(
        None, "--jobs", "-j", min=1, help="Parallel worker processes (default: number of CPU cores)."
    ),
    timeout: Optional[float] = typer.Option(
        None,
        "--timeout",
        min=0,
        metavar="SECONDS",
        help="Seconds h5lint may spend reading and checking one file or folder (default: 60); past it the "
        "artifact is reported as H5L001 and the run goes on. 0: no limit. Unix only.",
    ),
    max_memory: Optional[int] = typer.Option(
        None,
        "--max-memory",
        min=0,
        metavar="MIB",
        help="Memory (MiB) h5lint may add while reading and checking one file or folder (default: 2048); "
        "an allocation past it fails and the artifact is reported as H5L001. 0: no limit. Linux only.",
    ),
    no_cache: bool = typer.Option(
        False,
        "--no-cache",
        envvar="H5LINT_NO_CACHE",
        help="Read every artifact again: neither read nor write the results cache.",
    ),
    cache_dir: Optional[Path] = typer.Option(
        None,
        "--cache-dir",
        envvar="H5LINT_CACHE_DIR",
        metavar="DIR",
        help="Where results are cached (default: .h5lint_cache in the project root). An artifact unchanged "
        "since a run with the same h5lint and settings is not read again.",
    ),
    remote_budget: Optional[float] = typer.Option(
        None,
        "--remote-budget",
        min=0,
        metavar="MIB",
        help="MiB h5lint may fetch to judge one artifact named by URL (s3://, gs://, hf://, https://, "
        "file://; default: 256); past it the artifact is reported as H5L001. 0: no limit.",
    ),
    dask: Optional[str] = typer.Option(
        None,
        "--dask",
        metavar="SCHEDULER_ADDRESS",
        help="Check the artifacts on this Dask cluster (tcp://host:8786): the URLs are listed here and "
        "partitions of them are read by the workers (pip install 'h5lint[dask]').",
    ),
) -> None:
    """Scan model files and folders and report findings.

    Other commands: 'h5lint rules' lists the rules, 'h5lint explain CODE' prints one rule's docs,
    'h5lint --version' prints the version.
    Configuration: [tool.h5lint] in pyproject.toml or h5lint.toml (see README); flags override it.

    Text output is coloured on a terminal unless NO_COLOR is set or --output is given. With
    --format json, sarif or github stdout holds only the report; messages go to stderr.

    Exit status: 0 no finding at or above --fail-on, 1 findings at or above it, 2 usage,
    configuration or internal error. Unreadable files are findings (H5L001, an error).
    """
    from .runner import CheckRequest, run_check

    if statistics or show_versions:
        if output_format.value not in ("concise", "full", "text"):
            _fail(f"--statistics and --show-versions belong to concise/full output, not {output_format.value}")
    request = CheckRequest(
        paths=_paths(paths),
        output_format=output_format.value,
        output=output,
        cli_config={
            "select": _split(select),
            "extend-select": _split(extend_select),
            "ignore": _split(ignore),
            "target": target,
            "custom-objects": _split(custom_object),
            "fail-on": fail_on.value if fail_on else None,
            "respect-gitignore": None if respect_gitignore else False,
            "force-exclude": force_exclude or None,
            "skip-non-models": skip_non_models or None,
        },
        config_file=config,
        exit_zero=exit_zero,
        quiet=quiet,
        statistics=statistics,
        show_versions=show_versions,
        show_skipped=show_skipped,
        show_load=show_load,
        baseline=baseline,
        write_baseline=write_baseline,
        jobs=jobs,
        color=_want_color(color, output),
        # On stderr, so whatever the format it never mixes with the report (off with --quiet).
        progress=_tty(sys.stderr),
        timeout=timeout,
        max_memory=max_memory,
        no_cache=no_cache,
        cache_dir=cache_dir,
        remote_budget=remote_budget,
        dask=dask,
    )
    try:
        code = run_check(request)
    except BrokenPipeError:
        # The reader left (h5lint dir | head -1): typer's EPIPE handling then exits quietly.
        raise
    except Exception as exc:  # noqa: BLE001 - every failure must end with exit status 2
        from .project import ConfigError

        if isinstance(exc, (ConfigError, OSError)):
            _fail(str(exc))
        import traceback

        traceback.print_exc(file=sys.stderr)
        _fail(f"internal error ({type(exc).__name__}: {exc}); please report it with the traceback above")
    raise typer.Exit(code)


def _split(values: Optional[List[str]]) -> Optional[List[str]]:
    if not values:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _paths(paths: List[str]) -> tuple[str, ...]:
    if paths == ["-"]:
        return tuple(line.rstrip("\n") for line in sys.stdin if line.strip())
    return tuple(paths)


def _tty(stream) -> bool:  # noqa: ANN001 - a text stream
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _want_color(color: Color, output: Optional[Path]) -> bool:
    if color is not Color.auto:
        return color is Color.always
    if os.environ.get("FORCE_COLOR"):
        return True
    if output is not None or os.environ.get("NO_COLOR"):
        return False
    return _tty(sys.stdout)


@app.command()
def rules() -> None:
    """List every rule: code, name, default severity and summary."""
    from .catalog import load_catalog

    catalog = load_catalog()
    width = max(len(spec.name) for spec in catalog.values())
    for spec in catalog.values():
        typer.echo(f"{spec.code}  {spec.name:<{width}}  {spec.severity.value:<7}  {spec.summary}")


@app.command()
def explain(rule: str = typer.Argument(..., help="Rule code (H5L201) or name (missing-final-activation).")) -> None:
    """Print a rule's full documentation."""
    from .catalog import find_rule
    from .ruledocs import render_rule_doc

    spec = find_rule(rule)
    if spec is None:
        _fail(f"{rule!r} is not a rule code or name; 'h5lint rules' lists them")
    typer.echo(render_rule_doc(spec))


class TextOrJson(str, Enum):
    text = "text"
    json = "json"


@app.command()
def inspect(
    paths: List[str] = typer.Argument(..., help="Model files and folders (searched recursively)."),
    output_format: TextOrJson = typer.Option(
        TextOrJson.text, "--format", "-f", help="text (a table) or json (schema: h5lint/schemas/inspect.schema.json)."
    ),
    target: str = typer.Option("keras>=3", "--target", help="Runtime the load call is written for."),
) -> None:
    """Show what a model holds: layers with parameter counts, inputs, outputs and losses, optimizer, dtype
    policies, custom objects, Lambda and stateful layers, weight totals, signatures and the load call.

    Weight values are never read (only the stored shapes and dtypes). Exit status: 0 every artifact read,
    1 some could not be read, 2 usage error.
    """
    import shutil

    from .inspect.run import run_inspect
    from .keras.versions import TargetError, parse_target

    try:
        parsed = parse_target(target)
    except TargetError as exc:
        _fail(str(exc))
    width = shutil.get_terminal_size((120, 24)).columns
    raise typer.Exit(run_inspect(list(paths), parsed, output_format.value, width))


@app.command()
def fix(
    path: str = typer.Argument(..., help="The model file or folder to fix (it is only read)."),
    target: str = typer.Option(..., "--target", help="Runtime the copy must load in, e.g. 'keras>=3'."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="The NEW file to write (must not exist)."),
    diff: bool = typer.Option(False, "--diff", help="Show the config changes as a diff; write nothing."),
    output_format: TextOrJson = typer.Option(TextOrJson.text, "--format", "-f", help="text or json."),
) -> None:
    """Write a copy of a model whose stored configs the target runtime loads, with the same predictions.

    Lists every change ("dropped lstm.time_major (False)"). A model that needs code or more than a config
    edit (custom objects, Lambda layers, layers the target lacks) is refused with the reason; nothing is
    written then. Exit status: 0 written (or nothing to fix), 1 refused, 2 usage or read error.
    """
    from .fix.run import FixRequest, FixUsageError, run_fix
    from .fix.write import OutputError
    from .keras.versions import TargetError, parse_target

    try:
        request = FixRequest(path, parse_target(target), output, diff, output_format.value)
        code = run_fix(request)
    except (FixUsageError, OutputError, TargetError, OSError) as exc:
        _fail(str(exc))
    raise typer.Exit(code)


# Registered last: typer lists commands in registration order, and 'check' comes first.
@app.command("version")
def version_command() -> None:
    """Print the version."""
    typer.echo(f"h5lint {__version__}")


@app.command("help")
def help_command(ctx: typer.Context) -> None:
    """Show the commands."""
    typer.echo(ctx.parent.get_help() if ctx.parent else "")


def main(argv: Optional[List[str]] = None) -> None:
    # numpy's OpenBLAS starts a thread per core when imported (~0.08 s of CPU); h5lint does no algebra.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    args = list(sys.argv[1:] if argv is None else argv)
    # "h5lint PATH..." means the check command; no arguments, -h/--help and the global options show the app.
    if not args:
        args = ["--help"]
    elif args[0] not in (*SUBCOMMANDS, "--version", "-V", "--help", "-h"):
        args.insert(0, "check")
    app(args=args, prog_name="h5lint")


if __name__ == "__main__":  # pragma: no cover
    main()
