"""The promise: h5lint never imports TensorFlow, Keras, tf-keras, torch or JAX, whatever it scans.

conftest installs ml_guard before h5lint is first imported, so an import attempt anywhere in the suite
fails the test it happens in; this test runs the CLI over every sample in a child process whose guard
ends the process at the import itself (exit status 97), so no ``except Exception`` can hide it.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import FORMAT_EXAMPLES, REALWORLD, SAMPLES
from ml_guard import CHILD_PRELUDE

from h5lint.reporters import REPORTERS


@pytest.mark.slow
def test_cli_over_every_sample_imports_no_ml_framework():
    paths = [str(p) for p in (SAMPLES, FORMAT_EXAMPLES, REALWORLD / "files") if p.exists()]
    for output_format in sorted(REPORTERS):
        script = CHILD_PRELUDE + (
            "from h5lint.cli import main\n"
            f"main(['check', '--format', {output_format!r}, '--select', 'ALL', '--exit-zero', *{paths!r}])\n"
        )
        result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stderr[-3000:]
