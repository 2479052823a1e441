"""Rendered documents kept in memory, least recently used out first, bounded by size.

A document is the same bytes for every reader with the same case version, mask level, language
and archival flag (and the same templates), so that is its key and its ETag.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

CACHE_BYTES = 64 * 1024 * 1024


class DocumentCache:
    """PDF bytes by document key, at most `max_bytes` in all."""

    def __init__(self, max_bytes: int = CACHE_BYTES) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            content = self._items.get(key)
            if content is not None:
                self._items.move_to_end(key)
            return content

    def put(self, key: str, content: bytes) -> None:
        if len(content) > self.max_bytes // 4:
            return  # one huge document would push out everything else
        with self._lock:
            previous = self._items.pop(key, None)
            self._size -= len(previous) if previous is not None else 0
            self._items[key] = content
            self._size += len(content)
            while self._size > self.max_bytes:
                _key, evicted = self._items.popitem(last=False)
                self._size -= len(evicted)

    def __len__(self) -> int:
        return len(self._items)


_shared = DocumentCache()


def shared_cache() -> DocumentCache:
    """The cache this process's API handlers share."""
    return _shared
