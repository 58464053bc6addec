"""What a Keras weights store (``model.weights.h5``, a ``.weights.h5`` shard) holds, as an artifact records it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ... import ir
from ..parts import PartProblem

if TYPE_CHECKING:
    from ..h5.weights import Opener


class MemberUnreadable(OSError):
    """A zip member failed under h5py; an OSError, so the lazy weight readers stop quietly on it."""


@dataclass(frozen=True)
class StoreContents:
    """What a weights store holds, as the artifact records it."""

    weights: tuple[ir.WeightLayer, ...] | None = None
    has_optimizer_weights: bool = False
    h5_references: tuple[ir.H5Reference, ...] = ()
    npy_members: tuple[ir.NpyMember, ...] = ()


def read_h5_store(opener: Opener) -> StoreContents:
    """Inventory of a Keras 3 / tf-keras weights store; raises PartProblem if it is not readable HDF5."""
    from ..h5.attrs import AttrProblem
    from ..h5.links import outside_references
    from ..h5.weights import keras3_has_optimizer_weights, keras3_weights

    try:
        with opener() as h5:
            return StoreContents(keras3_weights(h5, opener), keras3_has_optimizer_weights(h5), outside_references(h5))
    except MemberUnreadable as exc:
        raise PartProblem(str(exc)) from None
    except (OSError, AttrProblem) as exc:
        raise PartProblem(f"is not a readable HDF5 weights store ({exc})") from None


