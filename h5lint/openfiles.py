"""Files kept open while one artifact is checked, so its weight readers do not reopen them per array.

A weight reader opens its file, streams one array and closes the file again; several rules read
several arrays each, and for small models the opening (HDF5 superblock, zip member) costs more than
the values. Inside :func:`keep_open` (the engine wraps each artifact's checks in it) readers that
share an opener share one open file, and every file is closed when the block ends. Outside it,
:func:`opened` opens and closes as before.
"""

from __future__ import annotations

import contextlib
import contextvars
from typing import Any, Callable, ContextManager, Iterator

_KEPT: contextvars.ContextVar[dict[Any, tuple[contextlib.ExitStack, Any, dict]] | None] = contextvars.ContextVar(
    "h5lint_kept_open_files", default=None
)


@contextlib.contextmanager
def keep_open() -> Iterator[None]:
    """Within this block, files opened through :func:`opened` stay open until it ends."""
    kept: dict[Any, tuple[contextlib.ExitStack, Any, dict]] = {}
    token = _KEPT.set(kept)
    try:
        yield
    finally:
        _KEPT.reset(token)
        for stack, _file, _found in kept.values():
            stack.close()


@contextlib.contextmanager
def opened(opener: Callable[[], ContextManager[Any]]) -> Iterator[Any]:
    """What ``opener()`` opens: once per opener inside :func:`keep_open`, else opened and closed here."""
    kept = _KEPT.get()
    if kept is None:
        with opener() as file:
            yield file
        return
    if opener not in kept:
        stack = contextlib.ExitStack()
        file = stack.enter_context(opener())  # an opener that fails is not kept: the next reader retries
        kept[opener] = (stack, file, {})
    yield kept[opener][1]


def found_in(opener: Callable[[], ContextManager[Any]]) -> dict:
    """A dict for what readers looked up in the file ``opener`` opens (groups walked to), kept exactly as long
    as that file is kept open, so nothing found in one opening is used in another; outside
    :func:`keep_open`, a new one each time."""
    kept = _KEPT.get()
    if kept is None or opener not in kept:
        return {}
    return kept[opener][2]
