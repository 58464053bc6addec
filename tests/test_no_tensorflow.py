"""The promise: h5lint never imports TensorFlow, Keras, tf-keras, torch or JAX, whatever it scans."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from conftest import FORMAT_EXAMPLES, REALWORLD, SAMPLES

FORBIDDEN = ("tensorflow", "keras", "tf_keras", "torch", "jax")


def test_cli_over_every_sample_imports_no_ml_framework():
    paths = [str(p) for p in (SAMPLES, FORMAT_EXAMPLES, REALWORLD / "files") if p.exists()]
    script = textwrap.dedent(
        f"""
        import sys
        from h5lint.cli import main
        try:
            main(["check", "--format", "json", "--select", "ALL", "--exit-zero", *{paths!r}])
        except SystemExit:
            pass
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in {FORBIDDEN!r})
        print("LOADED:", ",".join(loaded), file=sys.stderr)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600)
    last = [line for line in result.stderr.splitlines() if line.startswith("LOADED:")]
    assert last, result.stderr[-2000:]
    assert last[-1] == "LOADED: ", last[-1]


def test_importing_a_forbidden_module_would_fail_the_run():
    """The same run with the frameworks made unimportable still succeeds (nothing tried to import them)."""
    script = textwrap.dedent(
        f"""
        import sys
        for name in {FORBIDDEN!r}:
            sys.modules[name] = None  # any import of it raises ImportError
        from h5lint.cli import main
        try:
            main(["check", "--format", "json", "--exit-zero", {str(SAMPLES)!r}])
        except SystemExit as exc:
            sys.exit(exc.code)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
