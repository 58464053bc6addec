"""A guard against importing an ML framework: the import itself fails the test, whatever catches it.

Installed by conftest before anything imports h5lint, and by the subprocess tests in the child before
h5lint is imported. A parser that catches every exception would turn a caught ImportError into an H5L001
finding and hide it; the guard records the attempt (and, in a child process, ends it) instead.
"""

from __future__ import annotations

import os
import sys
import traceback

FORBIDDEN = ("tensorflow", "keras", "tf_keras", "torch", "jax")
ATTEMPTS: list[str] = []


class _Guard:
    def __init__(self, exit_code: int | None) -> None:
        self.exit_code = exit_code

    def find_spec(self, name, path=None, target=None):
        if name.split(".", 1)[0] not in FORBIDDEN:
            return None
        where = "".join(traceback.format_stack(limit=8)[:-1])
        ATTEMPTS.append(f"import {name}\n{where}")
        if self.exit_code is not None:  # a child process: end it here, nothing can swallow this
            sys.stderr.write(f"FORBIDDEN IMPORT: {name}\n{where}")
            sys.stderr.flush()
            os._exit(self.exit_code)
        raise ImportError(f"h5lint must never import {name}")


def install(exit_code: int | None = None) -> None:
    for name in FORBIDDEN:
        if name in sys.modules:
            raise RuntimeError(f"{name} was imported before the guard")
    sys.meta_path.insert(0, _Guard(exit_code))


# What a child process runs first: python -c CHILD_PRELUDE + "...".
CHILD_PRELUDE = f"import sys; sys.path.insert(0, {os.path.dirname(__file__)!r}); import ml_guard; ml_guard.install(97)\n"
