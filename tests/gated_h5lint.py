"""``python gated_h5lint.py GATE_FD ARGS...``: h5lint whose run waits, after its first artifact, for a line on GATE_FD.

The terminal tests use it to look at the screen while a run is provably unfinished (the first artifact's
findings and the progress line are there, the summary is not) and to press Ctrl-C in the middle of a run,
without any timing.
"""

from __future__ import annotations

import os
import sys

import h5lint.runner
from h5lint.cli import main


def _gated(scan):
    def gated(*args, **kwargs):
        results = scan(*args, **kwargs)
        try:
            for number, result in enumerate(results):
                yield result
                if number == 0:
                    with os.fdopen(int(sys.argv[1]), "rb", buffering=0) as gate:
                        gate.readline()
        finally:
            results.close()

    return gated


if __name__ == "__main__":
    h5lint.runner.scan = _gated(h5lint.runner.scan)
    main(sys.argv[2:])
