"""Password hashes: argon2 (slow on purpose), many at once on every core for an import.

A password a person chose is hashed at the full cost, because it may be guessable. A password the
product generated (`rules.random_password`, about 95 random bits) cannot be guessed at any hashing
speed, so an import hashes those with argon2 at a light cost (about 1 ms, not 150 ms: 5,000 new
users in seconds, not minutes); the first login with it stores the full-cost hash instead
(`needs_rehash`), as it would for a hash made under older settings.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError

_hasher = PasswordHasher()
_generated_hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
_CHUNK = 64


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def hash_generated_password(password: str) -> str:
    """The light hash of a password the product generated (never of one a person chose)."""
    return _generated_hasher.hash(password)


def needs_rehash(password_hash: str) -> bool:
    """Whether a hash that just matched was made at less than the full cost (a generated password's)."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return False


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
