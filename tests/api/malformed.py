"""Malformed request bodies from a seeded generator: the fuzz test's input (test_api_fuzz_no_500.py).

Each body starts from a well-formed one and breaks it the way clients and attackers do:
bytes that are not JSON or not UTF-8, truncated or deeply nested JSON, the wrong top-level
type, a field set to a value of another type, out of range, too long, holding NUL or other
control characters, digits of other scripts, markup or SQL, a field left out or one added.
Forms get the same values, repeated keys, broken percent-encoding and files where text belongs.
"""

from __future__ import annotations

import json
import random
from typing import Any
from urllib.parse import quote

# Strings no form or client check lets through as they are (and some that are right somewhere else; no
# username the fuzz signs in as, whose failed logins would slow its own sign-in down).
STRINGS = (
    "", " ", "\x00", "a\x00b", "\x01", "\x1b[31m", "\x7f", "\x85", "\t", "\r\n", "\u202e", "\ufeff", "😀",
    "²", "¹²³", "١٢٣", "１２３", "' OR 1=1 --", "\"; DROP TABLE cases; --", "%", "_", "\\", "%00",
    "../../etc/passwd", "<script>alert(1)</script>", "x" * 5000, "永" * 300, "9" * 40, "-1", "0", "1e309",
    "NaN", "null", "true", "2030-02-30", "2030-01-15T25:61", "0000-00-00", "9999-12-31T23:59:59+14:00",
    "1999-01-01", "永嘉调〔2026〕00001号", "(2026)浙0324民特123号", "330324199001011234", "station1",
    "330324001001-G1", "adjourn", "neighbour",
)
NUMBERS = (0, -1, 1, 2, 7, 2**31, 2**31 - 1, 2**53 + 1, 2**63, 2**64, 2**70, -(2**63), 1.5, 1e308, -0.0, 1e-320)
OTHERS = (None, True, False, [], {}, [None], [1, "a"], {"a": 1}, {"": ""}, [[[[[]]]]], ["\x00"], {"\x00": 1})


def value(rng: random.Random) -> Any:
    """A value of any JSON type that a field is unlikely to accept."""
    kind = rng.random()
    if kind < 0.55:
        text = rng.choice(STRINGS)
        return text if rng.random() < 0.8 else text + rng.choice(STRINGS)
    if kind < 0.8:
        return rng.choice(NUMBERS)
    return json.loads(json.dumps(rng.choice(OTHERS)))  # a copy: a later mutation may change it


def _deep(depth: int) -> Any:
    nested: Any = "x"
    for _ in range(depth):
        nested = [nested]
    return nested


def mutated(rng: random.Random, base: dict[str, Any]) -> dict[str, Any]:
    """`base` with one to three fields broken (set, removed, added), nested objects included."""
    body = json.loads(json.dumps(base))
    for _ in range(rng.randint(1, 3)):
        target = body
        while True:  # descend now and then into a nested object or list of objects
            nested = [key for key, item in target.items() if isinstance(item, dict) or
                      (isinstance(item, list) and item and isinstance(item[0], dict))]
            if not nested or rng.random() < 0.5:
                break
            item = target[rng.choice(nested)]
            target = item if isinstance(item, dict) else rng.choice(item)
        action = rng.random()
        keys = list(target)
        if action < 0.7 and keys:
            target[rng.choice(keys)] = value(rng) if rng.random() < 0.95 else _deep(rng.randint(50, 500))
        elif action < 0.85 and keys:
            del target[rng.choice(keys)]
        else:
            target[rng.choice(("extra", "id", "state", "version", "__proto__", "\x00", "é"))] = value(rng)
    return body


def json_body(rng: random.Random, base: dict[str, Any]) -> bytes:
    """A malformed JSON body: mostly `base` with broken fields, else broken JSON text or bytes."""
    kind = rng.random()
    if kind < 0.7:
        return json.dumps(mutated(rng, base), ensure_ascii=rng.random() < 0.5).encode("utf-8", "surrogatepass")
    text = json.dumps(base, ensure_ascii=False).encode()
    choices = (
        lambda: text[: rng.randint(0, len(text) - 1)],  # truncated
        lambda: bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 200))),  # not JSON, maybe not UTF-8
        lambda: json.dumps(rng.choice(([base], "text", 5, None, True, [], 1e308))).encode(),  # wrong top level
        lambda: text.replace(b'"', b"'", 2),  # single quotes
        lambda: text[:-1] + b', "trigger": "adjourn", "trigger": 5}',  # duplicate keys
        lambda: b"[" * rng.randint(100, 20_000),  # too deep
        lambda: b"1" * rng.randint(20, 5000),  # huge number
        lambda: text.replace(b"}", b',}', 1),  # trailing comma
        lambda: b'{"title": "\\ud800", "username": "\\udfff"}',  # lone surrogates
        lambda: text.replace(b'"', b'"\xff', 1),  # invalid UTF-8 inside a string
        lambda: b"",
    )
    return rng.choice(choices)()


def form_body(rng: random.Random, base: dict[str, str]) -> tuple[bytes, str]:
    """A malformed form post (body, content type): broken values, repeated keys, bad encoding or a file."""
    fields = [(key, text) for key, text in base.items()]
    for _ in range(rng.randint(1, 3)):
        index = rng.randrange(len(fields))
        key = fields[index][0]
        action = rng.random()
        if action < 0.7:
            fields[index] = (key, str(value(rng)))
        elif action < 0.8:
            fields.append((key, str(value(rng))))  # the key twice
        elif action < 0.9:
            del fields[index]
            if not fields:
                fields.append(("x", ""))
        else:
            fields.append((rng.choice(("data.extra", "parties[9].name", "parties[-1].name", "\x00", "é")),
                           str(value(rng))))
    kind = rng.random()
    if kind < 0.8:
        encoded = "&".join(f"{quote(k, safe='')}={quote(v, safe='', errors='surrogatepass')}"
                           if _encodable(k, v) else f"{quote(k, safe='')}=%ED%A0%80" for k, v in fields)
        return encoded.encode(), "application/x-www-form-urlencoded"
    if kind < 0.9:
        broken = "&".join(f"{k}={v}" for k, v in fields[:3]) + rng.choice(("%", "%F", "%FF%FE", "%C0%AF", "&&=&"))
        return broken.encode("utf-8", "surrogatepass"), "application/x-www-form-urlencoded"
    return _multipart(rng, fields)


def _encodable(*texts: str) -> bool:
    try:
        for text in texts:
            text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _multipart(rng: random.Random, fields: list[tuple[str, str]]) -> tuple[bytes, str]:
    """The fields as multipart/form-data, one of them sent as a file."""
    boundary = "fuzzboundary7f3a"
    file_index = rng.randrange(len(fields))
    parts = []
    for index, (key, text) in enumerate(fields):
        name = key.replace('"', "")
        if index == file_index:
            head = f'Content-Disposition: form-data; name="{name}"; filename="x.bin"\r\nContent-Type: application/octet-stream'
            payload = bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 100)))
        else:
            head = f'Content-Disposition: form-data; name="{name}"'
            payload = text.encode("utf-8", "surrogatepass")
        parts.append(f"--{boundary}\r\n{head}\r\n\r\n".encode("utf-8", "surrogatepass") + payload + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def if_match(rng: random.Random, version: int) -> str | None:
    """An If-Match header: the right one, none, or a malformed one."""
    return rng.choice((None, None, f'"{version}"', '"²"', "*", 'W/"1"', '"99999999999"', '""', '"-1"', "abc",
                       f'"{version}", "{version + 1}"', '"٣"'))


def idempotency_key(rng: random.Random) -> str | None:
    return rng.choice((None, None, None, "", "k" * 2000, f"fuzz-{rng.getrandbits(64)}", "a\tb", "\xe9", "²", "%00"))
