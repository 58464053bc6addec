"""Which Keras releases guard a load-time hazard with safe_mode, and what a target runtime does with it.

The facts (which releases refuse TFSMLayer, vocabulary paths, TorchModuleWrapper pickles and .h5
Lambdas in safe mode, and what older Keras lines do) are ``data/load_guards.toml``; this module answers
"does the target load it anyway?" from them, and words the answer the same way for every rule.
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass

from .knowledge import table
from .versions import KERAS_3, Target, version_text, version_tuple

# The first Keras 3 release; a guard's fix list is read over Keras 3 releases only.
_KERAS3_FIRST = (3, 0, 0)


class Exposure(enum.Enum):
    """What the releases a target allows do with the hazard on ``load_model(path)`` (safe_mode left on)."""

    DOES_IT = "does-it"  # every allowed release does it anyway
    REFUSES = "refuses"  # every allowed release refuses it unless safe_mode=False
    DEPENDS = "depends"  # some allowed releases do, later ones refuse
    CANNOT_LOAD = "cannot-load"  # the target's Keras line has no such layer: loading stops first


@dataclass(frozen=True)
class Guard:
    key: str  # the table's section name, e.g. "tfsm-layer"
    cve: str
    fixed: tuple[tuple[int, int, int], ...]  # first refusing release of each line that got the fix, oldest first
    other_lines: str  # "unknown-class" or "unguarded"

    @property
    def fixed_text(self) -> str:
        """``3.12.1 and 3.13.2``."""
        texts = [version_text(v) for v in self.fixed]
        return " and ".join(texts) if len(texts) < 3 else ", ".join(texts[:-1]) + " and " + texts[-1]

    def _unguarded(self) -> list[tuple[tuple[int, int, int], tuple[int, int, int]]]:
        """The Keras 3 releases that do it, as ``[low, high)`` ranges: up to the first fix, then from the start
        of each later fixed line up to that line's fix."""
        spans, start = [], _KERAS3_FIRST
        for fix in self.fixed:
            if start < fix:
                spans.append((start, fix))
            start = (fix[0], fix[1] + 1, 0)
        return spans

    def _guarded(self) -> list[tuple[tuple[int, int, int], tuple[int, int, int] | None]]:
        spans: list[tuple[tuple[int, int, int], tuple[int, int, int] | None]] = []
        start: tuple[int, int, int] = _KERAS3_FIRST
        for low, high in self._unguarded():
            if start < low:
                spans.append((start, low))
            start = high
        spans.append((start, None))
        return spans

    def refuses_in(self, release: tuple[int, ...]) -> bool:
        """Whether the Keras 3 release ``release`` (``(3, 12, 0)``) refuses it in safe mode."""
        padded = (release + (0, 0, 0))[:3]
        return not any(low <= padded < high for low, high in self._unguarded())

    def exposure(self, target: Target) -> Exposure:
        if target.line != KERAS_3:
            return Exposure.DOES_IT if self.other_lines == "unguarded" else Exposure.CANNOT_LOAD
        # A TensorFlow pin says which TF release, not which Keras 3 release it is installed with.
        if target.package != "keras":
            return Exposure.DEPENDS
        does = any(target.allows_some(low, high) for low, high in self._unguarded())
        refuses = any(target.allows_some(low, high) for low, high in self._guarded())
        if does and refuses:
            return Exposure.DEPENDS
        return Exposure.DOES_IT if does else Exposure.REFUSES

    def consequence(self, target: Target, does: str, class_name: str) -> str:
        """What loading with ``target`` leads to, as a clause: ``does`` is what a loader does with the hazard
        ("loads that SavedModel"), ``class_name`` the layer class a Keras line may lack."""
        exposure = self.exposure(target)
        unfixed = f"a Keras 3 release without the {self.cve} fix (fixed in {self.fixed_text}) {does} even with safe_mode=True"
        if exposure is Exposure.CANNOT_LOAD:
            return f"{target} has no {class_name} and fails to load the file, but {unfixed}"
        if exposure is Exposure.DOES_IT and target.line != KERAS_3:
            return f"{target} {does} on every load: it has no safe_mode check for it"
        if exposure is Exposure.DOES_IT:
            return f"{target} {does} even with safe_mode=True ({self.cve}, fixed in {self.fixed_text})"
        if exposure is Exposure.REFUSES:
            return f"{target} refuses it unless safe_mode=False ({self.cve}, fixed in {self.fixed_text})"
        return f"{unfixed}, later ones refuse it unless safe_mode=False"


@functools.lru_cache(maxsize=None)
def guard(key: str) -> Guard:
    entry = table("load_guards")[key]
    fixed = tuple(sorted((version_tuple(v) + (0, 0, 0))[:3] for v in entry["fixed"]))
    return Guard(key=key, cve=entry["cve"], fixed=fixed, other_lines=entry["other_lines"])


TFSM_LAYER = "tfsm-layer"
VOCABULARY_FILE = "vocabulary-file"
TORCH_MODULE = "torch-module"
TORCH_MODULE_FROM_CONFIG = "torch-module-from-config"
H5_LAMBDA = "h5-lambda"
