"""The finding codes h5lint raises itself while reading files (their docs are in ``rules/H5L00x_*``)."""

UNREADABLE = "H5L001"  # an artifact, or a part of it, cannot be read
WEIGHTS_ONLY = "H5L002"  # weights without an architecture: load_model cannot use it
FORMAT_MISMATCH = "H5L003"  # the extension promises another format than the bytes hold
INCOMPLETE = "H5L004"  # a part the artifact needs is missing
POLYGLOT = "H5L005"  # the bytes are two formats at once
