"""What a name or path stored in a model would do if a loader joined it onto a folder.

Zip member names, SavedModel asset file names, a TFSMLayer's ``filepath``, a lookup layer's vocabulary
path and layer names all end up in ``os.path.join(folder, name)`` or ``tf.io.gfile`` somewhere. One
place says which shapes leave the folder, so every rule that judges a stored path agrees on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .wording import quoted

# "gs://bucket/x", "https://host/x", "hdfs://...": tf.io.gfile opens these like local paths. One letter
# before ":" is a Windows drive ("C://x"), not a scheme.
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+)://")
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class PathShape:
    """How a stored path is built; ``escapes`` says whether joining it onto a folder leaves that folder."""

    absolute: bool  # starts at a root: "/x", "\\x", "C:x" (os.path.join drops the folder before it)
    parent: bool  # has a ".." component, with either separator
    scheme: str | None  # the URL scheme of "gs://...", "http://...", "file://..."
    backslash: bool  # Windows separators, which POSIX tools keep as part of one name

    @property
    def escapes(self) -> bool:
        return self.absolute or self.parent or self.scheme is not None


def path_shape(text: str) -> PathShape:
    posix = text.replace("\\", "/")
    scheme = _SCHEME.match(text)
    return PathShape(
        absolute=scheme is None and (posix.startswith("/") or _DRIVE.match(posix) is not None),
        parent=".." in posix.split("/"),
        scheme=scheme.group(1).lower() if scheme else None,
        backslash="\\" in text,
    )


def described(text: str) -> str:
    """A stored path as messages name it: ``the gs:// URL 'gs://b/m'``, ``the absolute path '/etc/x'``, ...

    A relative path is relative to the loading process's working folder, not to the model file, which is
    what makes even a plain name reach outside the file.
    """
    shape = path_shape(text)
    if shape.scheme is not None:
        return f"the {shape.scheme}:// URL {quoted(text)}"
    if shape.absolute:
        return f"the absolute path {quoted(text)}"
    if shape.parent:
        return f"the path {quoted(text)} (it climbs out of the working folder with '..')"
    return f"the relative path {quoted(text)} (relative to the loading process's working folder)"
