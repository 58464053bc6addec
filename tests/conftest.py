from __future__ import annotations

import csv
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SAMPLES = REPO / "sample_models"
FORMAT_EXAMPLES = SHARED / "format-examples"
REALWORLD = SHARED / "realworld"

# local_name -> row of realworld/manifest.tsv (what each real file was found to be, by hand)
REALWORLD_MANIFEST = {
    row["local_name"]: row for row in csv.DictReader(open(REALWORLD / "manifest.tsv", encoding="utf-8"), delimiter="\t")
}


def pytest_configure(config):
    # Part of every run, CI included; the mark only lets people skip them locally with -m "not slow".
    config.addinivalue_line("markers", "slow: runs a real external tool (e.g. pre-commit installing a hook env)")
