from __future__ import annotations

import csv
from pathlib import Path

import pytest

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


def pytest_addoption(parser):
    parser.addoption(
        "--update-snapshots",
        action="store_true",
        help="rewrite the snapshot files (tests/snapshots/, generated README blocks) instead of comparing with them",
    )


@pytest.fixture(scope="session")
def snapshot(request):
    """``snapshot(path, text)``: compare ``text`` with the file at ``path``, or rewrite it under --update-snapshots."""
    from snapshots import compare

    update = request.config.getoption("--update-snapshots")

    def check(path: Path, text: str) -> None:
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if update:
            if current != text:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
            return
        problem = compare(current, text, path.relative_to(REPO).as_posix())
        assert problem is None, problem

    return check


@pytest.fixture(scope="session")
def sample_corpus():
    """Every artifact of sample_models/ with its findings, as the snapshot records them."""
    from snapshots import corpus

    return corpus(REPO, "sample_models")
