"""What ``h5lint inspect`` shows for each artifact besides a model summary."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Unreadable:
    """An artifact that could not be read as a model, with what the reader said."""

    path: str
    messages: tuple[str, ...]
