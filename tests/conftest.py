from __future__ import annotations

import ml_guard  # first: the guard must be in place before anything imports h5lint

ml_guard.install()

import csv  # noqa: E402
import os  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

# Tests patch readers and rules in-process: a results cache shared between them would answer with what
# another test computed. tests/test_cache.py turns it on where it is the subject.
os.environ["H5LINT_NO_CACHE"] = "1"

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "sample_models"
# The shared corpora (real-world files, format examples, the SARIF schema) sit next to the clone; README
# "Development" says how to get them. H5LINT_SHARED names another place.
SHARED = Path(os.environ.get("H5LINT_SHARED") or REPO.parent / "shared")
FORMAT_EXAMPLES = SHARED / "format-examples"
REALWORLD = SHARED / "realworld"
IN_CI = os.environ.get("CI", "").lower() in ("true", "1")
SHARED_MISSING = (
    None
    if (REALWORLD / "manifest.tsv").is_file()
    else f"needs the shared corpora at {SHARED} (see README 'Development' to get them, or set H5LINT_SHARED)"
)

# local_name -> row of realworld/manifest.tsv (what each real file was found to be, by hand)
REALWORLD_MANIFEST = (
    {}
    if SHARED_MISSING
    else {
        row["local_name"]: row
        for row in csv.DictReader(open(REALWORLD / "manifest.tsv", encoding="utf-8"), delimiter="\t")
    }
)


def corpora() -> list:
    """sample_models/ and the two shared corpora as test parameters, the shared ones marked needs_shared."""
    return [
        pytest.param(SAMPLES, id=SAMPLES.name),
        pytest.param(FORMAT_EXAMPLES, id=FORMAT_EXAMPLES.name, marks=pytest.mark.needs_shared),
        pytest.param(REALWORLD / "files", id="files", marks=pytest.mark.needs_shared),
    ]


def require_shared() -> None:
    """For a test module that reads the shared corpora as it is imported: without them it is skipped, saying
    why, so the suite runs in a plain clone; in CI (CI=true) it runs and fails, as a missing corpus there is a
    broken setup, not a choice."""
    if SHARED_MISSING and not IN_CI:
        pytest.skip(SHARED_MISSING, allow_module_level=True)


def pytest_configure(config):
    config.addinivalue_line("markers", "needs_shared: reads ../shared; skipped without it outside CI")
    config.addinivalue_line(
        "markers", "slow: minutes of fuzzing, a real external tool or a 1 GiB file; runs in CI (CI=true) or with --run-slow"
    )


def pytest_collection_modifyitems(config, items):
    # Tests marked needs_shared (the module-level form is require_shared()) skip without the corpora, outside CI.
    if SHARED_MISSING and not IN_CI:
        for item in items:
            if "needs_shared" in item.keywords:
                item.add_marker(pytest.mark.skip(reason=SHARED_MISSING))
    # The quick local loop leaves the slow tests out; CI (CI=true), --run-slow or an explicit -m runs them.
    if os.environ.get("CI") or config.getoption("--run-slow") or config.getoption("markexpr"):
        return
    skip = pytest.mark.skip(reason="slow: runs in CI (CI=true) or with --run-slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


def pytest_addoption(parser):
    parser.addoption("--run-slow", action="store_true", help="also run the tests marked slow (CI=true does too)")
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


@pytest.fixture(autouse=True)
def no_ml_framework_imported():
    """Fails the test in which anything tried to import TensorFlow, Keras, tf-keras, torch or JAX."""
    before = len(ml_guard.ATTEMPTS)
    yield
    assert ml_guard.ATTEMPTS[before:] == []
