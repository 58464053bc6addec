"""Every finding on the shared corpora as reviewed snapshots: the format examples written by TF 2.21 /
Keras 3.15 / tf-keras 2.21, and the real-world files from public repositories (../shared).

Hand-checked facts about these files (the real-world manifest, what real loaders say) are asserted by the
test_realworld_* files; this one pins everything h5lint says, so any change to a finding is a reviewed diff.
``pytest tests/test_corpora.py -k <file name>`` checks one artifact.
"""

from __future__ import annotations

import functools

import pytest
from conftest import REALWORLD, SHARED, require_shared
from snapshots import SNAPSHOTS, corpus, dumps, recorded

require_shared()  # every test here reads the shared corpora

CORPORA = {"format_examples": (SHARED, "format-examples"), "realworld": (REALWORLD, "files")}


@functools.lru_cache(maxsize=None)
def _current(name: str) -> dict:
    root, top = CORPORA[name]
    return corpus(root, top)


@pytest.mark.parametrize("name", sorted(CORPORA))
def test_snapshot(name, snapshot):
    snapshot(SNAPSHOTS / f"{name}.json", dumps(_current(name)))


@pytest.mark.parametrize(
    "name,artifact", [(name, artifact) for name in sorted(CORPORA) for artifact in sorted(recorded(name))]
)
def test_artifact(name, artifact):
    assert _current(name).get(artifact) == recorded(name)[artifact]
