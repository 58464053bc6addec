"""Rule checks: one module per rule, each defining ``CODE`` and ``check(model, ctx)``.

A check is a pure function over :class:`h5lint.ir.ModelArtifact` that yields
:class:`h5lint.findings.Hit`. Its metadata, options and docs live in ``rules/catalog/<CODE>.toml``.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Mapping

from ..findings import Hit
from ..ir import ModelArtifact


@dataclass(frozen=True)
class Target:
    """The runtime the user will load the model with (``target = "keras>=3"``)."""

    package: str  # "keras", "tf-keras", "tf.keras", "tensorflow"
    spec: str  # the version specifier as written, e.g. ">=3", "==2.15"
    keras_major: int | None  # the Keras line the target implies (2 or 3)

    def __str__(self) -> str:
        return f"{self.package}{self.spec}"


@dataclass(frozen=True)
class RuleContext:
    """What a check may know besides the model: its options, the target, project declarations."""

    options: Mapping[str, Any] = field(default_factory=dict)
    target: Target | None = None
    # Names the project declares it registers itself (custom-objects = [...] in [tool.h5lint]).
    custom_objects: frozenset[str] = frozenset()

    @property
    def runtime(self) -> Target:
        """The configured target, or the current Keras line when none is configured."""
        return self.target or DEFAULT_TARGET


# Without a configured target, version rules judge against what `pip install tensorflow` gives today.
DEFAULT_TARGET = Target(package="keras", spec=">=3", keras_major=3)

Check = Callable[[ModelArtifact, RuleContext], Iterator[Hit]]


@functools.lru_cache(maxsize=1)
def all_checks() -> Mapping[str, Check]:
    """Every check module in this package, by rule code."""
    found: dict[str, Check] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        code = getattr(module, "CODE", None)
        if code is None:
            continue  # a helper module shared by several checks
        if code in found:
            raise RuntimeError(f"h5lint/checks/{info.name}.py: rule {code} is defined twice")
        found[code] = module.check
    return dict(sorted(found.items()))
