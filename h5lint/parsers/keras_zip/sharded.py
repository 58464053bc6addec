"""Keras 3 sharded weights (Keras >= 3.10, ``ShardedH5IOStore`` in keras/src/saving/saving_lib.py).

``model.save_weights("<base>.weights.json", max_shard_size=GB)`` writes the index
``{"metadata": {"total_size": N}, "weight_map": {"/<h5 path>": "<base>_00000.weights.h5" | [shards]}}``
and the shards ``<base>_NNNNN.weights.h5`` next to it (Keras 3.15 maps a path to a list, because one
layer's variables may straddle shards). KerasHub presets keep their backbone weights this way
(``model.weights.json``). The loader opens each shard by name next to the index
(``path.with_name(filename)``), so only plain sibling names resolve.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable

from ... import ir
from ...findings import Problem, Severity
from ..parts import PartProblem, problem
from .store import StoreContents, read_h5_store

if TYPE_CHECKING:
    import h5py

    from ..h5.weights import Opener

INDEX_SUFFIX = ".weights.json"
SHARD = re.compile(r"^(?P<base>.+)_(?P<index>\d{5})\.weights\.h5$")
FIX_MISSING = "copy every shard listed in weight_map next to the .weights.json index"


def shard_names(weight_map: Any) -> tuple[str, ...] | None:
    """Shard files in first-use order; Keras 3.15 maps a path to a list (its variables may straddle shards),
    earlier releases to one name."""
    if not isinstance(weight_map, Mapping):
        return None
    names: list[str] = []
    for value in weight_map.values():
        listed = [value] if isinstance(value, str) else value
        if not isinstance(listed, list) or not all(isinstance(v, str) for v in listed):
            return None
        names.extend(listed)
    return tuple(dict.fromkeys(names))


def _plain(name: str) -> bool:
    """A file name the loader can open next to the index (no folders, '..', absolute paths or URLs)."""
    return bool(name) and "/" not in name and "\\" not in name and name not in (".", "..") and ":" not in name


def _named_store_paths(h5: h5py.File) -> dict[str, str]:
    """Layer name -> store path of every saveable of one shard whose ``vars`` group carries a name.

    ShardedH5IOStore writes the ``name`` attribute only in the shard that got a layer's first
    variable; keras3_weights names the layer's other parts by store path, and this map joins them.
    """
    import h5py

    from ..h5.attrs import text_attr
    from ..h5.links import hard_links, resolve
    from ..h5.weights import KERAS3_LAYER_CONTAINERS, KERAS3_NOT_LAYERS

    found: dict[str, str] = {}

    def note(group: h5py.Group, path: str) -> None:
        own_vars = resolve(group, "vars")
        name = text_attr(own_vars, "name") if isinstance(own_vars, h5py.Group) else None
        if name:
            found[name] = path

    note(h5, "vars")
    for top, group in hard_links(h5):
        if not isinstance(group, h5py.Group) or top in KERAS3_NOT_LAYERS:
            continue
        if top in KERAS3_LAYER_CONTAINERS:
            for sub, inner in hard_links(group):
                if isinstance(inner, h5py.Group):
                    note(inner, f"{top}/{sub}")
        else:
            note(group, top)
    return found


def _merged(shards: list[tuple[StoreContents, dict[str, str]]]) -> StoreContents:
    """One store from its shards: a layer whose variables straddle shards is one entry, by store path."""
    by_path: dict[str, list[ir.WeightArray]] = {}
    names: dict[str, str] = {}
    for contents, paths in shards:
        for layer in contents.weights or ():
            path = paths.get(layer.name, layer.name)
            if path != layer.name:
                names[path] = layer.name
            by_path.setdefault(path, []).extend(layer.weights)
    return StoreContents(
        weights=tuple(ir.WeightLayer(names.get(path, path), tuple(weights)) for path, weights in by_path.items()),
        has_optimizer_weights=any(contents.has_optimizer_weights for contents, _ in shards),
        h5_references=tuple(ref for contents, _ in shards for ref in contents.h5_references),
    )


@dataclass(frozen=True)
class ShardedStore:
    """What a sharded index and the shards next to it hold."""

    contents: StoreContents
    shards: tuple[str, ...]  # every shard the weight map lists, in first-use order
    problems: tuple[Problem, ...]


def read_sharded(
    path: str,
    index: str,
    doc: Mapping[str, Any],
    siblings: Iterable[str],
    opener: Callable[[str], Opener],
) -> ShardedStore | None:
    """Read the shards a sharded index (``index``, already parsed as ``doc``) lists; None when its
    ``weight_map`` is not one. ``siblings`` are the file names next to the index, ``opener`` opens one."""
    from ..h5.attrs import AttrProblem

    shards = shard_names(doc.get("weight_map"))
    if shards is None:
        return None
    present = set(siblings)
    problems: list[Problem] = []
    contents = []
    for shard in shards:
        if not _plain(shard):
            why = "is not a file name next to the index; Keras opens shards beside the index, h5lint does not read it"
            problems.append(problem(path, f"weights shard {shard!r} {why}", f"member:{shard}", FIX_MISSING))
            continue
        if shard not in present:
            problems.append(problem(path, f"weights shard {shard} is missing", f"member:{shard}",
                                    FIX_MISSING))
            continue
        try:
            store_opener = opener(shard)
            store = read_h5_store(store_opener)
            with store_opener() as h5:
                contents.append((store, _named_store_paths(h5)))
        except (PartProblem, OSError, AttrProblem) as exc:
            problems.append(problem(path, f"weights shard {shard} {exc}", f"member:{shard}", "re-save the weights"))
    base = index[: -len(INDEX_SUFFIX)] if index.endswith(INDEX_SUFFIX) else None
    listed = set(shards)
    for name in sorted(present):
        match = SHARD.match(name)
        if match and match.group("base") == base and name not in listed:
            message = (
                f"weights shard {name} is next to {index} but its weight_map does not list it: a leftover of another "
                f"save, which Keras ignores (the weights it holds are not loaded)"
            )
            fix = f"delete {name}, or re-save the weights into an empty folder"
            problems.append(problem(path, message, f"member:{name}", fix, severity=Severity.WARNING))
    return ShardedStore(_merged(contents), shards, tuple(problems))
