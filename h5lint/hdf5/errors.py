"""The exceptions of the reader: everything it raises is an :class:`HDF5Error`."""

from __future__ import annotations

import functools
import struct


class HDF5Error(ValueError):
    """The bytes are not a readable HDF5 file: malformed, hostile, truncated or over a budget."""


class Unsupported(HDF5Error):
    """Valid HDF5 that uses a feature this reader does not implement; h5py can still read it."""


class Truncated(HDF5Error):
    """The superblock declares more bytes than the file has (libhdf5 refuses such a file)."""


class BudgetExceeded(HDF5Error):
    """Reading the file would take more work or memory than the budgets allow."""


# What a decoding bug (rather than a check) would raise; at the public entry points it becomes an
# HDF5Error whose __cause__ keeps it, so callers see one exception type and tests can still tell.
INTERNAL = (ArithmeticError, AttributeError, LookupError, TypeError, struct.error, RecursionError, UnicodeError, MemoryError)


def guarded(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except HDF5Error:
            raise
        except INTERNAL as exc:
            raise HDF5Error(f"malformed file ({type(exc).__name__}: {exc})") from exc

    return wrapper
