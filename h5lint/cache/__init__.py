"""The results cache: an artifact unchanged since the last run with the same h5lint and settings is not
read again; its report comes back from the cache, byte for byte what reading it would give.

Like ruff's cache, it is keyed per artifact: h5lint's version and the digest of its sources, rule catalog
and knowledge tables, the libraries that parse (``digest.py``), the resolved settings, target and budgets
name a folder; the artifact's path, containers and whether it was named name the entry inside it; the
entry holds the artifact's identity (``identity.py``: the stat of the file, of every member of a folder,
of every sibling file a reader opened) and its report (``codec.py``, JSON). ``store.py`` reads, writes and
prunes entries; ``secret.py`` holds the per-user key that authenticates them.

Why stat and not a content hash: the identity includes the inode, device and ``st_ctime_ns``, which no
unprivileged process can set (``touch -d`` and ``tar -x`` set mtime, and that changes ctime to now), so a
file rewritten in place or replaced always changes its identity, and the cache never reads the bytes it
exists to avoid reading. A file whose timestamps are within 2 s of the clock is not cached (coarse
filesystem clocks could hide a second write in the same tick). A fresh clone has new inodes and ctimes:
it misses the cache once, which costs time, never a finding.

The cache must never hide a finding: every entry carries an HMAC-SHA256 of its key and content under a
secret only the user can read (``secret.py``), so an entry forged by whoever wrote a scanned folder or the
cache folder (a model folder shipped with an ``.h5lint_cache`` saying "no findings") fails authentication,
is ignored, and the run says so. Entries are JSON, never pickles: nothing read from them runs.
"""

from .store import FOLDER_NAME, CacheNotes, ResultCache, open_cache

__all__ = ["FOLDER_NAME", "CacheNotes", "ResultCache", "open_cache"]
