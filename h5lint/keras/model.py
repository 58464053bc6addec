"""The semantic model of one artifact: what its raw Keras config means, decoded once and shared by every rule.

:func:`interpret` turns a :class:`~h5lint.ir.ModelArtifact` (facts as stored) into a :class:`KerasModel`:
the layer graph, outputs with their losses, compile state, the writer's Keras line, the stored weights
by layer, and the indexes several rules need (named objects, output heads), each built on first use.
A config the semantic layer cannot decode is a ``problem``; everything else is still there.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, replace

from ..ir import (
    ArchiveMember,
    Format,
    H5Reference,
    ModelArtifact,
    NpyMember,
    SavedModelInfo,
    VersionTags,
    WeightLayer,
)
from .graph import ConfigProblem, build_graph
from .heads import Head, trace_heads
from .objects import NamedObject, named_objects
from .structure import ModelGraph, OutputSpec, TrainingConfig
from .tfgraph import GraphHead, GraphLoss, graph_heads, graph_losses
from .training import build_training, output_specs
from .versions import keras_major, writer_for, writer_line, writer_release
from .weights import regroup_scoped


@dataclass(frozen=True)
class KerasModel:
    """One artifact as Keras sees it. Rules read this; ``artifact`` keeps the raw facts."""

    artifact: ModelArtifact
    versions: VersionTags
    graph: ModelGraph | None = None
    outputs: tuple[OutputSpec, ...] = ()
    training: TrainingConfig | None = None
    # Stored weights grouped by top-level layer name; None = the format stores none h5lint can see.
    weights: tuple[WeightLayer, ...] | None = None
    # Why the model config could not be decoded (the graph is then None), for an H5L001 finding.
    problem: str | None = None

    @property
    def format(self) -> Format:
        return self.artifact.format

    # The artifact's raw facts, read through (rules and tests see one object).
    @property
    def path(self) -> str:
        return self.artifact.path

    @property
    def layout(self) -> str | None:
        return self.artifact.layout

    @property
    def savedmodel(self) -> SavedModelInfo | None:
        return self.artifact.savedmodel

    @property
    def archive_members(self) -> tuple[ArchiveMember, ...]:
        return self.artifact.archive_members

    @property
    def npy_members(self) -> tuple[NpyMember, ...]:
        return self.artifact.npy_members

    @property
    def h5_references(self) -> tuple[H5Reference, ...]:
        return self.artifact.h5_references

    @property
    def files(self) -> tuple[str, ...]:
        return self.artifact.files

    @property
    def nonstandard_json(self) -> tuple[str, ...]:
        return self.artifact.nonstandard_json

    @property
    def has_optimizer_weights(self) -> bool:
        return self.artifact.has_optimizer_weights

    @property
    def keras_major(self) -> int | None:
        """Major version of the Keras that wrote the file, when it records one."""
        return keras_major(self.versions.keras_version)

    @property
    def keras_line(self) -> str | None:
        """The Keras line that wrote the file (one of versions.KERAS_LINES), None when not a Keras line."""
        return writer_line(self.versions.writer)

    @functools.cached_property
    def keras_release(self) -> str | None:
        """The measured minor release of :attr:`keras_line` that wrote the file ("3.8", "2.15"), when known."""
        versions = self.versions
        return writer_release(self.keras_line, versions.keras_version, versions.tensorflow_version)

    def describe_writer(self) -> str:
        """``saved by tf-keras 2.21.0`` for messages."""
        line = self.keras_line
        return f"saved by {line} {self.versions.keras_version}" if line else "saved by an unknown Keras version"

    @functools.cached_property
    def named_objects(self) -> tuple[NamedObject, ...]:
        """Every use of a class or function in the model, in file order."""
        return named_objects(self.graph, self.training)

    @functools.cached_property
    def heads(self) -> tuple[Head, ...]:
        """What sets the values of each output, in output order."""
        return trace_heads(self.graph, self.outputs)

    @functools.cached_property
    def graph_heads(self) -> tuple[GraphHead, ...]:
        """What computes each signature output of a SavedModel without a Keras config, read from its graph
        (a model with a config is judged by its layers, which say more)."""
        return graph_heads(self.savedmodel) if self.graph is None else ()

    @functools.cached_property
    def graph_losses(self) -> tuple[GraphLoss, ...]:
        """Softmax-applying losses in such a SavedModel's functions given already squashed values."""
        return graph_losses(self.savedmodel) if self.graph is None else ()

    @functools.cached_property
    def _weights_by_name(self) -> Mapping[str, WeightLayer]:
        return {entry.name: entry for entry in reversed(self.weights or ())}

    def weight_layer(self, name: str) -> WeightLayer | None:
        """The weights stored for the top-level layer ``name``."""
        return self._weights_by_name.get(name)


def with_writer(versions: VersionTags) -> VersionTags:
    """The version tags with the Keras line that wrote them, when the file did not say it itself."""
    return versions if versions.writer is not None else replace(versions, writer=writer_for(versions.keras_version))


def interpret(artifact: ModelArtifact) -> KerasModel:
    """The semantic model of ``artifact``; never raises for what a config holds."""
    versions = with_writer(artifact.versions)
    graph = training = None
    problem = None
    keras = artifact.keras
    if keras is not None:
        raw_training = keras.training_config
        if isinstance(raw_training, Mapping) and raw_training:
            training = build_training(raw_training, keras.training_source)
        if keras.model_config is not None:
            try:
                graph = build_graph(keras.model_config)
            except ConfigProblem as exc:
                problem = f"{keras.where}: {exc}"
    weights = artifact.weights
    if weights is not None and artifact.format.scoped_weights:
        weights = regroup_scoped(graph, weights)
    return KerasModel(
        artifact=artifact,
        versions=versions,
        graph=graph,
        outputs=output_specs(graph, training),
        training=training,
        weights=weights,
        problem=problem,
    )
