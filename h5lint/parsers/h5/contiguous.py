"""Weight values stored as one contiguous block in the file, read straight from its bytes.

Keras writes legacy weights without chunking or filters, so a weight's values are ``count`` elements
at one offset, in the byte order its datatype names: exactly what h5py would return, without opening
the file through libhdf5 again or walking to the dataset per array. The own reader (own.py) found and
checked the block (offset, size within the file, a plain numeric type); anything else is read through
h5py (weights.value_reader).
"""

from __future__ import annotations

from typing import Any, BinaryIO, Callable, ContextManager, Iterator

from ...openfiles import opened

RawOpener = Callable[[], ContextManager[BinaryIO]]


def contiguous_reader(opener: RawOpener, offset: int, count: int, dtype: str) -> Callable[[int], Iterator[Any]]:
    """A weight reader (ir.WeightArray._reader) of ``count`` elements of numpy type ``dtype`` at ``offset``."""

    def read(max_elements: int) -> Iterator[Any]:
        import numpy as np  # only when a rule reads values

        item = np.dtype(dtype)
        step = max(1, int(max_elements))
        # As the h5py reader does: a file that changed or vanished since it was parsed yields no more values.
        try:
            with opened(opener) as file:
                done = 0
                while done < count:
                    n = min(step, count - done)
                    file.seek(offset + done * item.itemsize)
                    data = file.read(n * item.itemsize)
                    if len(data) != n * item.itemsize:
                        return
                    yield np.frombuffer(data, dtype=item)
                    done += n
        except OSError:
            return

    return read
