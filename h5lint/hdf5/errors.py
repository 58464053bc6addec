"""The exceptions of the reader: everything it raises is an :class:`HDF5Error`."""

from __future__ import annotations


class HDF5Error(ValueError):
    """The bytes are not a readable HDF5 file: malformed, hostile, truncated or over a budget."""


class Unsupported(HDF5Error):
    """Valid HDF5 that uses a feature this reader does not implement; h5py can still read it."""


class Truncated(HDF5Error):
    """The superblock declares more bytes than the file has (libhdf5 refuses such a file)."""


class BudgetExceeded(HDF5Error):
    """Reading the file would take more work or memory than the budgets allow."""
