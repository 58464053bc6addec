"""Command line: turn arguments into settings, run the engine, render, exit.

``h5lint PATH...`` is short for ``h5lint check PATH...``.
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

SUBCOMMANDS = ("check", "rules", "explain")

# One choice per reporter.
OutputFormat = Enum("OutputFormat", {name: name for name in REPORTERS}, type=str)


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
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    """h5lint PATH... scans model files and folders; see 'h5lint check --help'."""


def _fail(message: str) -> None:
    typer.echo(f"h5lint: error: {message}", err=True)
    raise typer.Exit(exitcodes.ERROR)


@app.command()
def check(
    paths: List[str] = typer.Argument(..., help="Model files and folders (searched recursively)."),
    output_format: OutputFormat = typer.Option(
        OutputFormat("text"),
        "--format",
        "-f",
        help="Output format: text (for people), json (schema: h5lint/schemas/report.schema.json), "
        "sarif (SARIF 2.1.0 for GitHub code scanning) or github (GitHub Actions annotations).",
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
        help="Text format: print only the finding lines (no artifact headers, fix hints or summary).",
    ),
    statistics: bool = typer.Option(
        False, "--statistics", help="Text format: also print how many findings each rule reported."
    ),
    show_versions: bool = typer.Option(
        False,
        "--show-versions",
        help="Text format: print every artifact's version tags (format, layout, keras_version, backend, "
        "tensorflow_version, tensorflow_git_version, writer, producer).",
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

    request = CheckRequest(
        paths=tuple(paths),
        output_format=output_format.value,
        output=output,
        cli_config={
            "select": _split(select),
            "extend-select": _split(extend_select),
            "ignore": _split(ignore),
            "target": target,
            "custom-objects": _split(custom_object),
            "fail-on": fail_on.value if fail_on else None,
        },
        config_file=config,
        exit_zero=exit_zero,
        quiet=quiet,
        statistics=statistics,
        show_versions=show_versions,
        baseline=baseline,
        write_baseline=write_baseline,
        jobs=jobs,
        color=_want_color(output),
        timeout=timeout,
        max_memory=max_memory,
    )
    try:
        code = run_check(request)
    except Exception as exc:  # noqa: BLE001 - every failure must end with exit status 2
        from .settings import ConfigError

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


def _want_color(output: Optional[Path]) -> bool:
    if output is not None or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


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


def main(argv: Optional[List[str]] = None) -> None:
    # numpy's OpenBLAS starts a thread per core when imported (~0.08 s of CPU); h5lint does no algebra.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    args = list(sys.argv[1:] if argv is None else argv)
    # "h5lint PATH..." and "h5lint --help" mean the check command; only --version is global.
    if not args:
        args = ["check", "--help"]
    elif args[0] not in SUBCOMMANDS and args[0] != "--version":
        args.insert(0, "check")
    app(args=args, prog_name="h5lint")


if __name__ == "__main__":  # pragma: no cover
    main()
