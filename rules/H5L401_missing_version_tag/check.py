"""H5L401 missing-version-tag: a full model that does not say which Keras / TensorFlow wrote it.

Only artifacts whose writer always records a version are judged: full legacy HDF5 models (Keras >=
1.0.7 writes ``keras_version``), ``.keras`` archives and folders (``metadata.json``) and SavedModels
(``meta_info_def.tensorflow_version``). Left out on purpose, because correct files lack a version there
and the finding would be noise: weights-only files (Keras 1 and every Keras 3 weights store record
none), ``model.to_json()`` files (Keras 3's ``to_json`` writes no version) and TF.js models (their
loader never reads it).
"""

from __future__ import annotations

from typing import Iterator

from h5lint import ir
from h5lint.checks import RuleContext
from h5lint.findings import Hit
from h5lint.keras.model import KerasModel

_ARCHIVE = (
    "metadata.json is missing or has no 'keras_version'",
    "Keras does not need it to load, but it is the archive's only record of its writer, and archives "
    "written by tf-keras (Keras 2) and by Keras 3 hold different config dialects that need different loaders",
)
# Where the files each loader reads record the Keras version, and why its absence matters.
_KERAS_TAG = {
    ir.LEGACY_H5: (
        "neither the HDF5 root nor the model_weights group has a 'keras_version' attribute",
        "the loaders of tf-keras and Keras 3 read the model_weights one and take a file without it for a "
        "Keras 1 file; tf-keras then applies Keras 1 weight conversions (a Keras 2 Conv1D kernel fails to "
        "load that way)",
    ),
    ir.KERAS_ARCHIVE: _ARCHIVE,
}

_FIX = (
    "Re-save the model with the Keras it was trained with (model.save(...)) so the file records its version; "
    "if the file was edited or assembled by a tool, keep the writer's version tags."
)


def check(model: KerasModel, ctx: RuleContext) -> Iterator[Hit]:
    if model.format.loader == ir.SAVEDMODEL:
        # Judged only when a MetaGraphDef was read: an unparseable saved_model.pb is H5L001's finding.
        read = model.savedmodel is not None and bool(model.savedmodel.tags)
        if read and model.versions.tensorflow_version is None:
            yield Hit(
                "The SavedModel records no TensorFlow version (saved_model.pb meta_info_def.tensorflow_version "
                "is empty), so nobody can tell which TensorFlow release, and which op set, it needs.",
                "file",
                "Re-export it with tf.saved_model.save or model.export(), which record the TensorFlow version; "
                "tools that rewrite saved_model.pb should keep meta_info_def.",
            )
        return
    tag = _KERAS_TAG.get(model.format.loader) if model.format.records_keras_version else None
    # An unreadable tag is H5L001's finding; its absence proves nothing.
    if tag is None or model.versions.keras_version is not None or model.versions.unread:
        return
    where, matters = tag
    yield Hit(f"The file records no Keras version ({where}); {matters}.", "file", _FIX)
