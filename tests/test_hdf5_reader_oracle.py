"""h5lint.hdf5 against h5py on every HDF5 file the project has: sample models, shared format
examples and real-world files (HDF5 stores inside .keras zips included), recognised by signature.

Every group's links, every attribute (dtype and value) and every dataset's shape, maxshape, dtype,
layout, chunks, filters, storage size, external storage, virtual flag and raw bytes (contiguous,
unfiltered) must be equal; a file libhdf5 refuses must be refused (HDF5Error) too.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hdf5_oracle import (
    Counts,
    describe_h5py,
    describe_ours,
    first_difference,
    h5py_opens,
    hdf5_files,
)

from h5lint import hdf5

REPO = Path(__file__).resolve().parents[1]
# Files the reader may answer with Unsupported (name -> why). Empty: it reads all of them.
UNSUPPORTED: dict[str, str] = {}


def shared_dir() -> Path | None:
    """The shared/ folder beside the repository (a worktree or a CI clone alike), if there is one."""
    shared = REPO.parent / "shared"
    return shared if shared.is_dir() else None


def _roots() -> list[tuple[str, Path | None]]:
    shared = shared_dir()
    return [
        ("sample_models", REPO / "sample_models"),
        ("format-examples", shared / "format-examples" if shared else None),
        ("realworld", shared / "realworld" / "files" if shared else None),
    ]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, list[tuple[str, Path]]]:
    tmp = tmp_path_factory.mktemp("hdf5_members")
    return {label: hdf5_files(root, tmp) if root and root.is_dir() else [] for label, root in _roots()}


@pytest.mark.parametrize("label", [label for label, _ in _roots()])
def test_reader_matches_h5py(label: str, corpus) -> None:
    root = dict(_roots())[label]
    if root is None or not root.is_dir():
        pytest.skip(f"{label}: no shared/ folder beside the repository ({REPO.parent / 'shared'})")
    files = corpus[label]
    assert files, f"no HDF5 file found under {root}"
    counts = Counts()
    problems = []
    for name, path in files:
        if not h5py_opens(path):
            with pytest.raises(hdf5.HDF5Error):
                describe_ours(path)
            continue
        try:
            ours = describe_ours(path)
        except hdf5.Unsupported as exc:
            if name not in UNSUPPORTED:
                problems.append(f"{name}: Unsupported ({exc}) and not in the allow-list")
            continue
        expected = describe_h5py(path)
        if ours != expected:
            problems.append(f"{name}: {first_difference(expected, ours)}")
        else:
            counts.add(expected)
    assert not problems, "\n".join(problems)
    print(f"{label}: {counts.files} files, {counts.objects} objects, {counts.attributes} attributes, {counts.datasets_raw} raw datasets equal")
    assert counts.objects > counts.files
