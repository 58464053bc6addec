"""The console entry point: ``h5lint --version`` is answered before the command-line framework is imported
(most of a start-up); every other command line goes to :mod:`.cli`."""

from __future__ import annotations

import sys

from . import __version__

_VERSION_ARGS = (["--version"], ["-V"], ["version"])


def main() -> None:
    args = sys.argv[1:]
    if args in _VERSION_ARGS:
        print(f"h5lint {__version__}")  # what 'h5lint version' prints through the CLI
        return
    from .cli import main as cli_main

    cli_main(args)
