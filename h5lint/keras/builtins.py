"""What Keras has built in, per line and release, and where names that are not built in come from.

Whether a name is built in is decided per Keras line and release with the measured per-release
inventory (:mod:`.releases`, ``data/keras_releases.json``) and the loaders' naming rules in
``data/serialization.toml``; third-party packages (keras-hub, TF Addons, ...) come from
``data/third_party.toml``; modules and built-ins that run commands from ``data/foreign_modules.toml``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import releases
from .knowledge import table
from .objects import (
    ACTIVATIONS,
    CONSTRAINTS,
    FUNCTIONS,
    INITIALIZERS,
    LAYERS,
    LOSSES,
    METRICS,
    MODELS,
    OPTIMIZERS,
    REGULARIZERS,
    NamedObject,
    lookup_name,
)
from .refs import module_is_keras
from .versions import KERAS_3, KERAS_LINES, Target

# Kinds whose lookups also accept another kind's names: an activation may be an activation layer
# object (LeakyReLU), a metric may be a loss function, a layer entry may be a nested model, and a
# function stored by name is looked up in Keras's function modules (BUILTIN_MODULES of
# keras/src/saving/serialization_lib.py) before custom_objects fails.
_ALSO_ACCEPTS = {
    ACTIVATIONS: (LAYERS,),
    METRICS: (LOSSES,),
    LAYERS: (MODELS,),
    MODELS: (LAYERS,),
    FUNCTIONS: (ACTIVATIONS, CONSTRAINTS, INITIALIZERS, LOSSES, METRICS, OPTIMIZERS, REGULARIZERS),
}


@functools.lru_cache(maxsize=1)
def _naming() -> Mapping[str, Any]:
    raw = table("serialization")
    return {
        "folded": frozenset(raw["case_insensitive_kinds"]),
        "markers": frozenset(raw["markers"]),
        "shorthands": {kind: frozenset(names) for kind, names in raw["compile_shorthands"].items()},
    }


def builtin_in(name: str, kind: str, line: str | None, release: str | None = None) -> bool:
    """Whether Keras line ``line`` (any line when None) has ``name`` built in as a ``kind``, at ``release``
    (a minor release such as ``"3.8"``; any release of the line when None)."""
    naming = _naming()
    if name in naming["markers"] or name in naming["shorthands"].get(kind, ()):
        return True
    names = (name, name.lower()) if kind in naming["folded"] else (name,)
    lines = KERAS_LINES if line is None else (line,)
    return any(
        releases.has_object(key, one_kind, one_line, release)
        for one_line in lines
        for one_kind in (kind, *_ALSO_ACCEPTS.get(kind, ()))
        for key in names
    )


def lines_with(name: str, kind: str) -> list[str]:
    """The Keras lines that have ``name`` built in, oldest first."""
    return [line for line in KERAS_LINES if builtin_in(name, kind, line)]


@functools.lru_cache(maxsize=1)
def _loss_names() -> frozenset[str]:
    losses = table("losses")["loss"]
    return frozenset(n for canonical, entry in losses.items() for n in (canonical, *entry.get("aliases", ())))


def module_says_keras(obj: NamedObject) -> bool | None:
    """What a Keras 3 ``module`` field says: Keras's own (True), other code (False), or nothing (None).

    Any module outside Keras (``my_pkg.layers``) is the project's code even when the class shares a
    Keras name. Keras 3 writes ``module: "builtins"`` for every plain Python function (the module of
    Python's function type, not where the function lives), so for them the name decides.
    """
    module = obj.ref.module
    if not module or module == "builtins":
        return None
    return module_is_keras(module)


def builtin_for(obj: NamedObject, writer: str | None, target: Target) -> bool:
    """Built into the line that wrote the file or into the target line (so the loader knows it)."""
    verdict = module_says_keras(obj)
    if verdict is not None:
        return verdict
    name = lookup_name(obj)
    if obj.kind in (LOSSES, METRICS) and name in _loss_names():
        return True
    return builtin_in(name, obj.kind, writer) or known_to_target(obj, target)


def known_to_target(obj: NamedObject, target: Target) -> bool:
    """Whether the target's loader resolves the object's name to something it has built in.

    Keras 3's legacy compile looks a compiled object whose name it does not know up again by the ``name``
    in its config (keras/src/legacy/saving/saving_utils.py _resolve_compile_arguments_compat, v3.0.0 to
    v3.15.1), which is how tf-keras' registered "Custom>Adam" ({"name": "Adam", ...}) loads.
    """
    name = lookup_name(obj)
    if builtin_in(name, obj.kind, target.line, target.release):
        return True
    alias = obj.ref.config.get("name") if obj.layer is None and isinstance(obj.ref.config, Mapping) else None
    compiled = obj.kind in (OPTIMIZERS, LOSSES, METRICS)
    return compiled and target.line == KERAS_3 and isinstance(alias, str) and builtin_in(
        alias, obj.kind, target.line, target.release
    )


def runs_commands(obj: NamedObject) -> bool:
    """A module or built-in that runs code when imported or called: the security rules' finding.

    Advising ``custom_objects={"system": system}`` for an ``os.system`` envelope would be wrong. A
    ``builtins`` envelope is Keras's plain-function encoding, harmless for most names; only the names
    of Python built-ins that run code count, because Keras before 3.9 resolved a name it did not know by
    importing the envelope's module (``eval`` from ``builtins``).
    """
    foreign = table("foreign_modules")
    module = obj.ref.module or ""
    root = module.split(".", 1)[0]
    if root in foreign["dangerous_modules"] or module in foreign["dangerous_modules"]:
        return True
    return root == "builtins" and obj.ref.class_name in foreign["dangerous_builtins"]


def declared(obj: NamedObject, custom_objects: frozenset[str]) -> bool:
    """The project says it provides this object (setting ``custom-objects``)."""
    names = {obj.ref.class_name, obj.ref.key}
    if obj.ref.registered_name:
        names.add(obj.ref.registered_name)
    return bool(names & custom_objects)


def needs_code(obj: NamedObject, writer: str | None, target: Target, custom_objects: frozenset[str]) -> bool:
    """Neither Keras nor the project provides it, and it is not a security rule's finding."""
    return (
        not builtin_for(obj, writer, target) and not declared(obj, custom_objects) and not runs_commands(obj)
    )


# ------------------------------------------------------------------------------- third-party
@dataclass(frozen=True)
class Package:
    key: str
    pip: str
    import_line: str
    load: str
    note: str | None


@functools.lru_cache(maxsize=1)
def _packages() -> tuple[dict[str, Package], dict[str, Package], tuple[tuple[str, Package], ...]]:
    by_name: dict[str, Package] = {}
    by_prefix: dict[str, Package] = {}
    modules: list[tuple[str, Package]] = []
    for key, entry in table("third_party")["package"].items():
        package = Package(key, entry["pip"], entry["import"], entry["load"], entry.get("note"))
        for name in entry.get("names", ()):
            by_name.setdefault(name, package)
        for prefix in entry.get("prefixes", ()):
            by_prefix[prefix] = package
        for module in entry.get("modules", ()):
            modules.append((module, package))
    return by_name, by_prefix, tuple(modules)


def _known_package(obj: NamedObject) -> Package | None:
    by_name, by_prefix, modules = _packages()
    module = obj.ref.module or ""
    for prefix, package in modules:
        if module == prefix or module.startswith(prefix + "."):
            return package
    key = lookup_name(obj)
    if ">" in key:
        return by_prefix.get(key.split(">", 1)[0])
    return by_name.get(key)


# Packages whose own names are measured per release (data/keras_hub_releases.json): keras-hub registers each
# export as keras_hub>Name and keras_nlp>Name.
_INVENTORIED = frozenset({"keras_hub", "keras_nlp"})


def keras_hub_releases(obj: NamedObject) -> tuple[str, str] | None:
    """The first and last keras-hub release that registers the object's name, None when none does."""
    span = table("keras_hub_releases")["names"].get(obj.ref.class_name)
    return (span[0], span[1]) if span else None


def third_party_package(obj: NamedObject) -> Package | None:
    """The known package an object comes from: by Keras 3 module, registration prefix or name. A keras_hub>
    (or keras_nlp>) name that no keras-hub release registers is not keras-hub's: the project's own class."""
    package = _known_package(obj)
    if package is not None and package.key in _INVENTORIED and keras_hub_releases(obj) is None:
        return None
    return package
