"""Remote files read by byte ranges: a small block at a time, kept in a small cache, counted and budgeted.

fsspec's own buffered files read ahead megabytes (s3fs 50 MiB per miss) and some filesystems have
none, so h5lint asks every filesystem the same thing, ``cat_file(path, start, end)``, for one block.
A server that answers a range with more or fewer bytes than asked (a server ignoring ``Range``
sends the whole file) is refused rather than trusted: h5lint stops reading that artifact and says so.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Iterator

from ..rawio import SizedReader

# HDF5 metadata sits in small scattered pieces: small blocks waste little, the cache keeps the hot ones.
BLOCK_BYTES = 64 << 10
BLOCKS_KEPT = 64


class RemoteProblem(OSError):
    """A remote read h5lint refused or could not make; str() says why (never with credentials)."""


@dataclass
class Meter:
    """Bytes fetched for one artifact, against its budget (0: none), and the first reason reading stopped."""

    budget: int  # bytes; 0: no budget
    fetched: int = 0
    problem: str | None = None

    def charge(self, count: int) -> None:
        if self.budget and self.fetched + count > self.budget:
            self.stop(
                f"reading it needed more than h5lint's remote byte budget of {self.budget:,} bytes per artifact"
            )
        self.fetched += count

    def stop(self, why: str) -> None:
        self.problem = self.problem or why
        raise RemoteProblem(why)


@dataclass
class Session:
    """The remote files one artifact is made of, by URL: ``(filesystem, path, size)``."""

    meter: Meter
    files: dict[str, tuple[Any, str, int]] = field(default_factory=dict)
    # One block cache per file, shared by every reader that opens it (sniffing, the parser, weight readers).
    blocks: dict[str, OrderedDict[int, bytes]] = field(default_factory=dict)


_ACTIVE: contextvars.ContextVar[Session | None] = contextvars.ContextVar("h5lint_remote_session", default=None)


@contextlib.contextmanager
def active(session: Session) -> Iterator[Session]:
    """Within this block, readers that ask :func:`opened` for one of the session's URLs get a range file."""
    token = _ACTIVE.set(session)
    try:
        yield session
    finally:
        _ACTIVE.reset(token)


def serves(path: str) -> bool:
    """Whether ``path`` is a URL of the active session (read by ranges, not from the local disk)."""
    session = _ACTIVE.get()
    return session is not None and path in session.files


def opened(path: str) -> RangeFile | None:
    """A range file for ``path`` when it is a URL of the active session, else None (a local path)."""
    session = _ACTIVE.get()
    if session is None or path not in session.files:
        return None
    fs, inner, size = session.files[path]
    return RangeFile(fs, inner, size, session.meter, blocks=session.blocks.setdefault(path, OrderedDict()))


class RangeFile(SizedReader):
    """A seekable, read-only file over ``fs.cat_file`` ranges of ``BLOCK_BYTES``, with an LRU of blocks."""

    def __init__(
        self,
        fs: Any,
        path: str,
        size: int,
        meter: Meter,
        block: int = BLOCK_BYTES,
        blocks: OrderedDict[int, bytes] | None = None,
    ) -> None:
        super().__init__(size)
        self._fs, self._path, self._meter, self._block = fs, path, meter, block
        self._blocks: OrderedDict[int, bytes] = OrderedDict() if blocks is None else blocks

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        wanted = min(len(view), max(0, self._size - self._pos))
        if wanted > BLOCKS_KEPT * self._block // 4:
            # A long read (weight values streamed by a rule) is one request, not hundreds of blocks, and
            # is not cached: it would only push the metadata blocks out.
            view[:wanted] = self._fetch(self._pos, self._pos + wanted)
            self._pos += wanted
            return wanted
        done = 0
        while done < wanted:
            number, skip = divmod(self._pos + done, self._block)
            data = self._get(number)
            piece = data[skip : skip + wanted - done]
            if not piece:
                break
            view[done : done + len(piece)] = piece
            done += len(piece)
        self._pos += done
        return done

    def _get(self, number: int) -> bytes:
        data = self._blocks.get(number)
        if data is not None:
            self._blocks.move_to_end(number)
            return data
        start = number * self._block
        data = self._fetch(start, min(start + self._block, self._size))
        self._blocks[number] = data
        if len(self._blocks) > BLOCKS_KEPT:
            self._blocks.popitem(last=False)
        return data

    def _fetch(self, start: int, end: int) -> bytes:
        self._meter.charge(end - start)
        try:
            data = self._fs.cat_file(self._path, start=start, end=end)
        except RemoteProblem:
            raise
        except Exception as exc:  # a network or server error: this artifact's problem, not a crash
            self._meter.stop(f"the bytes {start:,}-{end:,} could not be fetched ({type(exc).__name__}: {exc})")
        if len(data) != end - start:
            self._meter.stop(
                f"the server answered a request for bytes {start:,}-{end:,} with {len(data):,} bytes (it ignores "
                "ranges, or the file changed or is shorter than listed); h5lint does not trust the rest"
            )
        return data
