"""Password hashes: argon2 (slow on purpose), many at once on every core for an import."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError

_hasher = PasswordHasher()
_CHUNK = 64


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, InvalidHashError):
        return False


def hash_passwords(passwords: list[str], *, progress: Callable[[int], None] | None = None) -> list[str]:
    """The hashes of many passwords, in order, computed on every core (each as costly as one login)."""
    if len(passwords) < _CHUNK:
        hashes = [hash_password(password) for password in passwords]
        if progress:
            progress(len(passwords))
        return hashes
    chunks = [passwords[start:start + _CHUNK] for start in range(0, len(passwords), _CHUNK)]
    hashes: list[str] = []
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        for done in pool.map(_hash_chunk, chunks):
            hashes.extend(done)
            if progress:
                progress(len(done))
    return hashes


def _hash_chunk(passwords: list[str]) -> list[str]:
    return [hash_password(password) for password in passwords]
