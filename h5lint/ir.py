"""The format-neutral model representation every rule runs on.

Parsers (HDF5, .keras, SavedModel, TF.js, JSON) build a :class:`ModelArtifact`; rules only ever
see this module's types. Raw Keras configs are kept as parsed JSON (``config``) because rules need
arbitrary keys (``activation``, ``stateful``, ``function`` ...); everything whose encoding differs
between Keras 1, 2 and 3 (graph edges, outputs, losses, dtype policies, versions) is normalised here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping

if TYPE_CHECKING:  # only weight readers need numpy at run time; they import it themselves
    import numpy as np

# Format names reported to users (JSON/SARIF "format"); stable public vocabulary.
H5_FULL = "h5-full"
H5_WEIGHTS = "h5-weights"
KERAS_ZIP = "keras-zip"
KERAS_DIR = "keras-dir"
SAVEDMODEL = "savedmodel"
TFJS = "tfjs"
KERAS_JSON = "keras-json"

FORMATS = (H5_FULL, H5_WEIGHTS, KERAS_ZIP, KERAS_DIR, SAVEDMODEL, TFJS, KERAS_JSON)


@dataclass(frozen=True)
class VersionTags:
    """What the artifact says about the software that wrote it (``None`` = not recorded)."""

    keras_version: str | None = None
    backend: str | None = None
    tensorflow_version: str | None = None
    tensorflow_git_version: str | None = None
    # Which Keras line wrote it, derived from keras_version / format:
    # "keras-1", "keras-2", "tf.keras", "tf-keras", "keras-3", "tensorflow" (no Keras), "tfjs-converter".
    writer: str | None = None
    # Free-form producer string when the format records one (TF.js "convertedBy").
    producer: str | None = None

    @property
    def keras_major(self) -> int | None:
        return keras_major(self.keras_version)


def keras_major(version: str | None) -> int | None:
    """Major version of a Keras version string such as ``2.2.4-tf`` or ``3.15.1``."""
    if not version:
        return None
    head = version.strip().split(".", 1)[0]
    return int(head) if head.isdigit() else None


@dataclass(frozen=True)
class TensorRef:
    """One edge end: output ``tensor_index`` of call ``node_index`` of layer ``layer``."""

    layer: str
    node_index: int = 0
    tensor_index: int = 0


@dataclass(frozen=True)
class ObjectRef:
    """A serialized Keras object named inside a config (class or function).

    ``class_name`` is the bare name (``Dense``, ``my_act``); ``registered_name`` is the ``pkg>Name``
    registration key when the file records one; ``module`` is the Keras 3 ``module`` field.
    """

    class_name: str
    registered_name: str | None = None
    module: str | None = None
    config: Any = None

    @property
    def key(self) -> str:
        """The name ``custom_objects`` must be keyed by."""
        return self.registered_name if self.registered_name and ">" in self.registered_name else self.class_name


@dataclass(frozen=True)
class Layer:
    """One layer of a model graph (or the wrapped layer / cell inside a wrapper).

    ``path`` is the logical location from the top-level model, e.g. ``("inner_seq", "dense_1")`` or
    ``("bilstm", "forward_layer", "lstm_cell")``; it never contains indices so it survives re-saves.
    """

    name: str
    class_name: str
    path: tuple[str, ...]
    config: Mapping[str, Any] = field(default_factory=dict, compare=False)
    registered_name: str | None = None
    module: str | None = None
    # One entry per call of the layer in its enclosing model; each call lists its input tensors.
    inbound: tuple[tuple[TensorRef, ...], ...] = ()
    # Normalised dtype policy name ("float32", "mixed_float16", ...), None when not recorded.
    dtype_policy: str | None = None
    # Wrapped layers (TimeDistributed.layer, Bidirectional forward/backward, RNN cells) by role.
    wrapped: tuple[tuple[str, "Layer"], ...] = ()
    # A nested Sequential/Functional model used as a layer.
    submodel: "ModelGraph | None" = None

    @property
    def location(self) -> str:
        return "/".join(self.path)

    @property
    def object(self) -> ObjectRef:
        return ObjectRef(self.class_name, self.registered_name, self.module, self.config)

    def walk(self) -> Iterator["Layer"]:
        """This layer, then every wrapped layer and nested-model layer below it, depth first."""
        yield self
        for _role, inner in self.wrapped:
            yield from inner.walk()
        if self.submodel is not None:
            yield from self.submodel.walk()


@dataclass(frozen=True)
class ModelGraph:
    """A Sequential, Functional or subclassed model's layer graph.

    For a Sequential model ``inputs``/``outputs`` are synthesised from the layer order, so rules can
    treat every model as a graph. A subclassed model has no layers (its graph is Python code).
    """

    class_name: str
    name: str | None
    layers: tuple[Layer, ...]
    inputs: tuple[TensorRef, ...] = ()
    outputs: tuple[TensorRef, ...] = ()
    # What loss/metric dicts are keyed by: the output layer names, or the keys of a Keras 3 dict
    # of outputs; same order as ``outputs``.
    output_names: tuple[str, ...] = ()
    registered_name: str | None = None
    module: str | None = None
    config: Mapping[str, Any] = field(default_factory=dict, compare=False)
    # "sequential", "functional" or "subclassed"
    kind: str = "functional"

    def layer(self, name: str) -> Layer | None:
        for layer in self.layers:
            if layer.name == name:
                return layer
        return None

    def walk(self) -> Iterator[Layer]:
        for layer in self.layers:
            yield from layer.walk()


@dataclass(frozen=True)
class Loss:
    """The loss one output is trained with."""

    # Canonical snake_case function name ("binary_crossentropy", "mean_squared_error") when the
    # loss is a built-in; otherwise the name as written ("h5lint>my_loss", "crf_loss").
    name: str
    # Class/function as serialized (``BinaryCrossentropy``, ``binary_crossentropy``, ``h5lint>my_loss``).
    object: ObjectRef
    from_logits: bool = False
    config: Mapping[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class OutputSpec:
    """One model output, in model order."""

    name: str  # the output layer's name (what loss/metric dicts are keyed by)
    tensor: TensorRef
    loss: Loss | None = None
    loss_weight: float | None = None


@dataclass(frozen=True)
class TrainingConfig:
    """What ``compile()`` recorded (``training_config``, ``compile_config`` or keras_metadata)."""

    source: str  # "training_config", "compile_config", "keras_metadata"
    optimizer: ObjectRef | None = None
    # Losses/metrics exactly as configured, kept for rules that look at every named object.
    loss_objects: tuple[ObjectRef, ...] = ()
    metric_objects: tuple[ObjectRef, ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False)


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
    name: str
    dtype: str  # "DT_FLOAT", "DT_HALF", ...
    shape: tuple[int, ...] | None  # None = unknown rank; -1 = unknown dimension


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


@dataclass(frozen=True)
class SavedModelInfo:
    tags: tuple[tuple[str, ...], ...]  # one tuple of tags per MetaGraphDef
    signatures: tuple[Signature, ...]
    ops: tuple[OpUse, ...]  # sorted by op name
    object_identifiers: tuple[str, ...]  # SavedUserObject identifiers, in node order
    function_names: tuple[str, ...] = ()
    fingerprint: Mapping[str, Any] | None = field(default=None, compare=False)
    has_keras_metadata: bool = False
    schema_version: int | None = None


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
    format: str  # one of FORMATS
    # Finer layout: "keras-1", "keras-0.3-weights", "keras3-weights", "sharded-weights",
    # "tfk-keras-zip", "pbtxt", ... (free-form, shown with --show-versions)
    layout: str | None = None
    versions: VersionTags = VersionTags()
    graph: ModelGraph | None = None
    outputs: tuple[OutputSpec, ...] = ()
    training: TrainingConfig | None = None
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
