"""Object headers, version 1 and version 2 ("OHDR"), with their continuation blocks.

Version 1: a 16-byte prefix, then messages of an 8-byte header each (type, size, flags), bodies
padded to 8 bytes; continuation blocks are bare messages. Version 2: "OHDR" prefix with optional
times and attribute phase-change values, messages of a 4-byte header (6 with a creation order),
continuation blocks "OCHK"; every chunk ends with a lookup3 checksum. A continuation message
names the next chunk; chunks already read are refused, so a chain that loops is an error.
"""

from __future__ import annotations

import struct
from collections import namedtuple

from .checksum import verify
from .errors import HDF5Error, Unsupported
from .messages import CONTINUATION, KNOWN, parse_continuation
from .reader import Cursor

# Chunks of one object header; the library writes one, rarely a few.
MAX_CHUNKS = 4096
_FAIL_IF_UNKNOWN = 0x80
_V1_MESSAGE = struct.Struct("<HHB3x")  # type, size, flags, reserved
# Known message types other than NIL and continuation: kept as they are, no questions asked.
_PLAIN = KNOWN - {0, CONTINUATION}
_FIRST_READ = 512
_new = tuple.__new__
_SHARED = 0x02


class Message(namedtuple("Message", "type flags body creation_order", defaults=(None,))):
    """One object header message, its body still encoded.

    type: int
    flags: int
    body: bytes
    creation_order: int | None
    """
    __slots__ = ()

    @property
    def shared(self) -> bool:
        return bool(self.flags & _SHARED)


class ObjectHeader(namedtuple("ObjectHeader", "address version messages attr_order_tracked")):
    """An object header: its messages from every chunk, continuation messages left out.

    address: int
    version: int
    messages: tuple[Message, ...]
    attr_order_tracked: bool
    """
    __slots__ = ()

    def find(self, mtype: int) -> Message | None:
        for m in self.messages:
            if m.type == mtype:
                return m
        return None

    def all(self, mtype: int) -> list[Message]:
        return [m for m in self.messages if m.type == mtype]


def read_object_header(ctx, address: int) -> ObjectHeader:
    """Parse the object header at ``address`` (relative to the base address); ``ctx`` is a FileContext."""
    # One read usually brings the prefix and the whole first chunk of a small header.
    head = ctx.read(address, min(_FIRST_READ, ctx.space_after(address)))
    if head[:4] == b"OHDR":
        return _read_v2(ctx, address)
    if len(head) < 16 or head[0] != 1:
        raise HDF5Error(f"object header at {address}: version {head[0] if head else '?'}, not an object header")
    size = int.from_bytes(head[8:12], "little")
    messages: list[Message] = []
    chunks = [(address + 16, size)]
    seen = {address + 16}
    budget = ctx.budget
    unpack = _V1_MESSAGE.unpack_from
    while chunks:
        start, length = chunks.pop(0)
        block = head[16 : 16 + length] if start == address + 16 and 16 + length <= len(head) else ctx.read(start, length)
        pos, end = 0, len(block)
        while end - pos >= 8:
            budget.work += 1
            if budget.work > budget.max_work:
                budget.spend(0)
            mtype, msize, mflags = unpack(block, pos)
            pos += 8
            if pos + msize > end:
                raise HDF5Error(f"object header at {address}: message of {msize} bytes past its chunk")
            if mtype in _PLAIN:
                # tuple.__new__ skips namedtuple's Python-level constructor: headers are the hot path
                messages.append(_new(Message, (mtype, mflags, block[pos : pos + msize], None)))
            else:
                _message(ctx, address, messages, chunks, seen, Message(mtype, mflags, block[pos : pos + msize]))
            pos += msize
    return ObjectHeader(address, 1, tuple(messages), False)


def _read_v2(ctx, address: int) -> ObjectHeader:
    what = f"object header at {address}"
    prefix = ctx.read(address, min(6 + 16 + 4 + 8, ctx.space_after(address)))
    cur = Cursor(prefix, what, ctx.o, ctx.l, 4)
    version, flags = cur.u8(), cur.u8()
    if version != 2:
        raise HDF5Error(f"{what}: OHDR version {version}")
    if flags & 0x20:
        cur.skip(16)  # access, modification, change and birth times
    if flags & 0x10:
        cur.skip(4)  # attribute phase change values
    size = cur.uint(1 << (flags & 0x03))
    body_start = cur.pos
    block = ctx.read(address, body_start + size + 4)
    verify(block, what)
    messages: list[Message] = []
    chunks: list[tuple[int, int]] = []
    seen = {address}
    _messages_v2(ctx, address, Cursor(block, what, ctx.o, ctx.l, body_start, len(block) - 4), flags, messages, chunks, seen)
    while chunks:
        start, length = chunks.pop(0)
        block = ctx.read(start, length)
        verify(block, f"{what}, continuation block at {start}")
        if block[:4] != b"OCHK":
            raise HDF5Error(f"{what}: continuation block at {start} lacks its OCHK signature")
        _messages_v2(ctx, address, Cursor(block, what, ctx.o, ctx.l, 4, len(block) - 4), flags, messages, chunks, seen)
    return ObjectHeader(address, 2, tuple(messages), bool(flags & 0x04))


def _messages_v2(ctx, address: int, cur: Cursor, flags: int, messages: list, chunks: list, seen: set) -> None:
    header = 6 if flags & 0x04 else 4
    while cur.left >= header:  # anything shorter is a gap
        ctx.budget.spend()
        mtype, msize, mflags = cur.u8(), cur.u16(), cur.u8()
        corder = cur.u16() if flags & 0x04 else None
        body = cur.take(msize)
        _message(ctx, address, messages, chunks, seen, Message(mtype, mflags, body, corder))


def _message(ctx, address: int, messages: list, chunks: list, seen: set, msg: Message) -> None:
    if msg.type == CONTINUATION:
        start, length = parse_continuation(Cursor(msg.body, f"object header at {address}", ctx.o, ctx.l))
        if start is None or start in seen:
            raise HDF5Error(f"object header at {address}: continuation to {start} loops or goes nowhere")
        if len(seen) >= MAX_CHUNKS:
            raise HDF5Error(f"object header at {address}: more than {MAX_CHUNKS} continuation blocks")
        seen.add(start)
        chunks.append((start, length))
        return
    if msg.type not in KNOWN and msg.flags & _FAIL_IF_UNKNOWN:
        raise Unsupported(f"object header at {address}: message type {msg.type} the reader must understand")
    if msg.type:
        messages.append(msg)
