"""The format-neutral model representation: what one artifact holds, as read from its bytes.

Parsers (HDF5, .keras, SavedModel, TF.js, JSON) build a :class:`ModelArtifact`. It holds facts, not
interpretations: a Keras config stays the JSON the file stores (:class:`KerasConfig`); how Keras 1,
2 and 3 encode graphs, losses and objects is the semantic layer's business (:mod:`h5lint.keras`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterator

if TYPE_CHECKING:  # only weight readers need numpy at run time; they import it themselves
    import numpy as np

# How Keras loads an artifact of a format: the loader decides what a file must hold and what fails.
LEGACY_H5 = "legacy-h5"  # keras.models.load_model on a full HDF5 model
KERAS_ARCHIVE = "keras-archive"  # keras.saving.load_model on a .keras zip or unzipped folder
SAVEDMODEL = "savedmodel"  # tf.saved_model.load, or tf-keras load_model on a tf-keras SavedModel
MODEL_FROM_JSON = "model-from-json"  # keras.models.model_from_json on an architecture


@dataclass(frozen=True)
class Format:
    """A format h5lint reads (its parser declares it in its :class:`~h5lint.parsers.spec.FormatSpec`)."""

    name: str  # reported to users ("h5-full"); a stable public vocabulary
    # How Keras loads it (one of the constants above); None when no Keras config is loaded from it
    # (weights-only files, TF.js models).
    loader: str | None = None
    # Its writers always record the Keras version (correct files of other formats may lack it).
    records_keras_version: bool = False
    # Weights are one list in file order named by variable scope ("model/dense/kernel"); the layer that
    # owns each is found through the graph. Otherwise the file groups them per layer itself.
    scoped_weights: bool = False

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class VersionTags:
    """What the artifact says about the software that wrote it (``None`` = not recorded)."""

    keras_version: str | None = None
    backend: str | None = None
    tensorflow_version: str | None = None
    tensorflow_git_version: str | None = None
    # Which Keras line wrote it: "keras-1", "keras-2", "tf.keras", "tf-keras", "keras-3" (derived from
    # keras_version by the semantic layer), or "tensorflow" (no Keras) as a parser finds it.
    writer: str | None = None
    # Free-form producer string when the format records one (TF.js "convertedBy").
    producer: str | None = None
    # The part that records the tags could not be read, so a missing tag is no evidence of anything.
    unread: bool = False

    def named(self) -> dict[str, str | None]:
        """The tags by their public names (report and inspect JSON keys), in display order."""
        return {
            "keras_version": self.keras_version,
            "backend": self.backend,
            "tensorflow_version": self.tensorflow_version,
            "tensorflow_git_version": self.tensorflow_git_version,
            "writer": self.writer,
            "producer": self.producer,
        }


@dataclass(frozen=True)
class KerasConfig:
    """A Keras model config as the artifact stores it (untrusted JSON), and where it was read."""

    model_config: Any  # {"class_name": ..., "config": ...} in any Keras dialect; None when only compile state is stored
    training_config: Any = None  # what compile() recorded, as stored
    training_source: str = "training_config"  # "training_config", "compile_config" or "keras_metadata"
    where: str = "the model config"  # how messages name it: "model_config attribute", "member config.json"
    location: str = "file"  # where a finding about it points


@dataclass(frozen=True)
class WeightArray:
    """One stored weight array; values are only read when a rule iterates :meth:`chunks`."""

    layer: str  # layer name (or store path for Keras 3 weight stores without names)
    name: str  # weight name as stored ("dense/kernel:0", "0", "kernel")
    shape: tuple[int, ...]
    dtype: str
    # Store-level location ("model_weights/dense/dense/kernel:0", "layers/dense/vars/0").
    location: str
    _reader: Callable[[int], Iterator[np.ndarray]] | None = field(default=None, compare=False, repr=False)
    # Why the values are never read (a dataset declaring far more than it stores), None when they can be.
    refused: str | None = None

    @property
    def size(self) -> int:
        n = 1
        for d in self.shape:
            n *= d
        return n

    def chunks(self, max_elements: int = 1 << 20) -> Iterator[np.ndarray]:
        """Stream the values in flat chunks of at most ``max_elements`` elements."""
        if self._reader is None:
            return iter(())
        return self._reader(max_elements)


@dataclass(frozen=True)
class WeightLayer:
    """Weights the file stores for one layer name (the inventory of a weights file)."""

    name: str
    weights: tuple[WeightArray, ...]


@dataclass(frozen=True)
class TensorSpec:
    name: str  # the signature's key for it ("output_0")
    dtype: str  # "DT_FLOAT", "DT_HALF", ...
    shape: tuple[int, ...] | None  # None = unknown rank; -1 = unknown dimension
    tensor: str | None = None  # the graph tensor it names ("StatefulPartitionedCall:0")


@dataclass(frozen=True)
class Signature:
    key: str
    method_name: str
    inputs: tuple[TensorSpec, ...]
    outputs: tuple[TensorSpec, ...]


@dataclass(frozen=True)
class OpUse:
    """An op type used in a SavedModel, with where it occurs ("graph" or a function name)."""

    op: str
    places: tuple[str, ...]


# The ops a SavedModel's graph summary keeps (every other node is left out): ops that pass a tensor on
# unchanged or only change its dtype, calls into the function library, the activations and losses the
# head rules judge, and the ops between an output and the variables that compute it.
SUMMARY_OPS = frozenset(
    (
        "Identity IdentityN StatefulPartitionedCall PartitionedCall Cast Softmax LogSoftmax Sigmoid "
        "SoftmaxCrossEntropyWithLogits SparseSoftmaxCrossEntropyWithLogits BiasAdd AddV2 Add MatMul BatchMatMulV2 "
        "Conv2D Conv3D DepthwiseConv2dNative ReadVariableOp"
    ).split()
)


@dataclass(frozen=True, slots=True)  # slots: a large library keeps hundreds of thousands of them
class GraphNode:
    """One kept node of a graph or library function: what tracing a tensor through it needs."""

    op: str
    # Data inputs as stored ("MatMul:product:0" in a function, "x:0" or "x" in the graph, an argument's
    # name); control inputs ("^NoOp") are left out.
    inputs: tuple[str, ...]
    # The dtype the node outputs when an attribute says it ("T", Cast's "DstT", "dtype"): "DT_HALF".
    dtype: str | None = None
    function: str | None = None  # the library function a call runs (its "f" attribute)


@dataclass(frozen=True)
class GraphFunction:
    """The top-level graph or one library function, reduced to the nodes in :data:`SUMMARY_OPS`."""

    args: tuple[str, ...] = ()  # input argument names, in order
    returns: tuple[str, ...] = ()  # the tensor each output returns, in output order
    nodes: Mapping[str, GraphNode] = field(default_factory=dict, compare=False)  # by node name
    # A concrete function's captured variables are its trailing arguments, in the order of its
    # SavedConcreteFunction.bound_inputs (TF's restore_captures pairs them with the function's last inputs):
    # the checkpoint key under which variables/ stores each; None when not stored there.
    captures: tuple[str | None, ...] = ()


@dataclass(frozen=True)
class GraphSummary:
    """What the graph of a SavedModel says about how its outputs and losses are computed."""

    graph: GraphFunction  # the top-level graph (the one signatures name tensors of)
    functions: Mapping[str, GraphFunction] = field(default_factory=dict, compare=False)  # the library, by name


@dataclass(frozen=True)
class SavedModelInfo:
    # The graph file TensorFlow loads (saved_model.pb, .pbtxt or .cpb); None when the folder has none.
    graph_member: str | None
    tags: tuple[tuple[str, ...], ...]  # one tuple of tags per MetaGraphDef
    signatures: tuple[Signature, ...]
    ops: tuple[OpUse, ...]  # sorted by op name
    object_identifiers: tuple[str, ...]  # SavedUserObject identifiers, in node order
    function_names: tuple[str, ...] = ()
    fingerprint: Mapping[str, Any] | None = field(default=None, compare=False)
    has_keras_metadata: bool = False
    schema_version: int | None = None
    graph: GraphSummary | None = None  # None when the folder has no readable graph
    # The file names MetaGraphDef.asset_file_def lists, as stored: TensorFlow joins each onto assets/ when
    # loading and reads that file (TF writes plain base names), in file order without repeats.
    asset_files: tuple[str, ...] = ()


@dataclass(frozen=True)
class ArchiveMember:
    """A member of a .keras zip (or a file in an unzipped Keras folder)."""

    name: str
    file_size: int
    compress_size: int
    compress_type: int = 0
    is_dir: bool = False
    external_attr: int = 0


@dataclass(frozen=True)
class H5Reference:
    """Something in an HDF5 file that points outside it (never followed)."""

    kind: str  # "external-link", "external-storage", "virtual-dataset"
    location: str  # HDF5 path inside the file
    target: str  # file (and object) it points at


@dataclass(frozen=True)
class NpyMember:
    """Header of one ``.npy`` member of a ``.npz`` weights store (data never loaded)."""

    name: str
    descr: str
    shape: tuple[int, ...]


@dataclass(frozen=True)
class ModelArtifact:
    """Everything h5lint knows about one model artifact (a file, zip or folder)."""

    path: str  # the artifact as a user names it: a file, or a SavedModel / Keras / TF.js folder
    format: Format
    # Finer layout: "keras-1", "keras-0.3-weights", "keras3-weights", "sharded-weights",
    # "tfk-keras-zip", "pbtxt", ... (free-form, shown with --show-versions)
    layout: str | None = None
    versions: VersionTags = VersionTags()
    keras: KerasConfig | None = None
    # Stored weights grouped by layer name; None = the format stores none we can see.
    weights: tuple[WeightLayer, ...] | None = None
    has_optimizer_weights: bool = False
    savedmodel: SavedModelInfo | None = None
    archive_members: tuple[ArchiveMember, ...] = ()
    npy_members: tuple[NpyMember, ...] = ()
    h5_references: tuple[H5Reference, ...] = ()
    # Files that make up the artifact (relative to ``path`` for folders).
    files: tuple[str, ...] = ()
    # JSON literals the file relies on that strict JSON parsers reject (NaN, Infinity).
    nonstandard_json: tuple[str, ...] = ()

    def weight_layer(self, name: str) -> WeightLayer | None:
        for entry in self.weights or ():
            if entry.name == name:
                return entry
        return None
