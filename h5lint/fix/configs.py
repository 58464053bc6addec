"""The stored configs ``fix`` rewrites, as documents of the artifact, and their canonical hash.

An HDF5 model stores two attributes (``model_config``, ``training_config``), a ``.keras`` archive one member
(``config.json``, whose ``compile_config`` holds the compile state), an architecture one JSON document.
:class:`Configs` is the pair every transformation edits: the model config and the compile config, plus how Keras
loads them (which of Keras 3's deserializers reads which part).
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..ir import ModelArtifact

H5_FULL = "h5-full"
KERAS_ZIP = "keras-zip"
KERAS_JSON = "keras-json"
FIXABLE_FORMATS = (H5_FULL, KERAS_ZIP, KERAS_JSON)

MODEL_CONFIG = "model_config"
TRAINING_CONFIG = "training_config"
CONFIG_JSON = "config.json"
ARCHITECTURE = "architecture"
COMPILE_CONFIG = "compile_config"


@dataclass(frozen=True)
class Configs:
    """What transformations read and return (each returns a new one; the JSON inside is never shared)."""

    model: Any  # {"class_name", "config"} as stored (for a .keras archive: all of config.json)
    compile: Any = None  # training_config (HDF5) or compile_config (.keras, Keras 3 JSON); None when not compiled
    # How Keras loads the artifact (ir.LEGACY_H5, ir.KERAS_ARCHIVE, ir.MODEL_FROM_JSON): which of Keras 3's
    # deserializers reads which part of the configs.
    loader: str | None = None

    def edited(self) -> tuple[Any, Any]:
        """Deep copies of (model, compile) for a transformation to edit."""
        return copy.deepcopy(self.model), copy.deepcopy(self.compile)


def configs_of(artifact: ModelArtifact) -> Configs:
    keras = artifact.keras
    assert keras is not None
    model = keras.model_config
    compile_config = keras.training_config
    return Configs(copy.deepcopy(model), copy.deepcopy(compile_config), artifact.format.loader)


def documents(fmt: str, configs: Configs) -> dict[str, Any]:
    """The documents the file stores, by name, as ``configs`` says they should read."""
    if fmt == H5_FULL:
        docs = {MODEL_CONFIG: configs.model}
        if configs.compile is not None:
            docs[TRAINING_CONFIG] = configs.compile
        return docs
    # config.json and Keras 3 JSON keep the compile state inside the model document
    doc = configs.model
    if isinstance(doc, Mapping) and COMPILE_CONFIG in doc:
        doc = {**doc, COMPILE_CONFIG: configs.compile}
    return {CONFIG_JSON if fmt == KERAS_ZIP else ARCHITECTURE: doc}


def canonical(docs: Mapping[str, Any]) -> str:
    """One text per content: keys sorted, no spaces (what the hash and the generator's record are of)."""
    return json.dumps(docs, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=True)


def config_sha256(docs: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(docs).encode("utf-8")).hexdigest()
