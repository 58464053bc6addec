"""A pure-Python reader of TensorFlow tensor bundles: the checkpoints TF writes as
``<prefix>.index`` + ``<prefix>.data-00000-of-00001`` (the ``variables/`` of every SavedModel,
``model.save_weights("dir/ckpt")`` of tf-keras, ``tf.train.Checkpoint``, the TF1 ``Saver``).

The format is TensorFlow's ``tensorflow/core/util/tensor_bundle/``: the index is a LevelDB-style
table (:mod:`.sstable`) mapping each tensor's key to a ``BundleEntryProto`` (:mod:`.entries`) that
says where its bytes are; the data shards hold the raw little-endian bytes. Nothing here imports
TensorFlow, protobuf or numpy (numpy only once :func:`tensor_chunks` is iterated), nothing writes
to a bundle, and a file never opens outside its folder. Bad bytes raise :class:`BundleError` and
nothing else, within budgets (index bytes, entries, shards, object-graph bytes) so that a hostile
file costs bounded time and memory.

Typical use::

    bundle = read_index("model/variables/variables.index")      # BundleError if unreadable
    problems = shard_problems(bundle, crc_budget=64 << 20)     # missing / short shards, checksums
    paths = variable_paths(bundle)                               # key -> "layer_with_weights-0/kernel"
    for chunk in tensor_chunks(bundle, entry, 1 << 20, verify_crc=True): ...

For a checkpoint folder, :func:`read_checkpoint_state` reads its ``checkpoint`` file and gives the
prefix of the latest checkpoint when it stays inside the folder.
"""

from .bundle import Bundle, read_index, shard_path
from .checkpoint_state import CheckpointState, read_checkpoint_state
from .dtypes import DATA_TYPES
from .entries import BundleEntry, BundleHeader
from .errors import BundleError
from .objectgraph import (
    OBJECT_GRAPH_KEY,
    Attribute,
    Child,
    Node,
    ObjectGraph,
    SlotVariable,
    variable_full_names,
    variable_paths,
)
from .shards import ShardProblem, shard_problems
from .values import tensor_chunks

__all__ = [
    "DATA_TYPES",
    "OBJECT_GRAPH_KEY",
    "Attribute",
    "Bundle",
    "BundleEntry",
    "BundleError",
    "BundleHeader",
    "CheckpointState",
    "Child",
    "Node",
    "ObjectGraph",
    "ShardProblem",
    "SlotVariable",
    "read_checkpoint_state",
    "read_index",
    "shard_path",
    "shard_problems",
    "tensor_chunks",
    "variable_full_names",
    "variable_paths",
]
