"""Streaming AES-256-GCM for backup files, so a large database never has to fit in memory.

The key (TSUNAGU_BACKUP_KEY) is 32 random bytes written in base64, e.g. `openssl rand -base64 32`.
Each file derives its own key from it with HKDF-SHA256 and a random 16-byte salt, so the chunk
counter can serve as the nonce without ever repeating one under a key. The layout:

    header   MAGIC (16) | salt (16) | chunk size (4, big-endian) | key check (16)
    chunks   AES-256-GCM(chunk) + tag (16), nonce = chunk number (11 bytes) | last flag (1 byte)

The header is the associated data of every chunk, so no byte of it can be changed. The nonce's
last flag marks the final chunk: a file cut short at a chunk boundary fails to decrypt instead of
passing for a shorter one, and chunks cannot be swapped because their number is their nonce. The
key check (also from HKDF) tells a wrong key apart from a damaged file before anything is read.
"""

import base64
import binascii
import hmac
import os
from collections.abc import Iterator
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"TSUNAGU-BACKUP\x00\x01"
SALT_SIZE = 16
CHECK_SIZE = 16
TAG_SIZE = 16
HEADER_SIZE = len(MAGIC) + SALT_SIZE + 4 + CHECK_SIZE
CHUNK_SIZE = 1024 * 1024
KEY_ENV = "TSUNAGU_BACKUP_KEY"


class BackupKeyError(Exception):
    """The key is missing, malformed or not the one the file was encrypted with."""


class BackupDamagedError(Exception):
    """The encrypted file was changed or cut short after it was written."""


def parse_key(text: str) -> bytes:
    """The 32-byte key from its base64 form (standard or URL-safe alphabet)."""
    cleaned = text.strip().replace("-", "+").replace("_", "/")
    try:
        key = base64.b64decode(cleaned, validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise BackupKeyError(
            f"{KEY_ENV} は 32 バイトの鍵を base64 で書いたものにしてください（作り方: openssl rand -base64 32）。"
        )
    return key


def key_from_environment() -> bytes | None:
    """The key in TSUNAGU_BACKUP_KEY, or None when the variable is unset or empty."""
    text = os.environ.get(KEY_ENV, "")
    return parse_key(text) if text.strip() else None


def is_encrypted(path) -> bool:
    with open(path, "rb") as file:
        return file.read(len(MAGIC)) == MAGIC


def _derive(key: bytes, salt: bytes) -> tuple[AESGCM, bytes]:
    material = HKDF(algorithm=hashes.SHA256(), length=32 + CHECK_SIZE, salt=salt, info=b"tsunagu backup v1").derive(key)
    return AESGCM(material[:32]), material[32:]


def _nonce(number: int, last: bool) -> bytes:
    return number.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def _read_exactly(source: BinaryIO, size: int) -> bytes:
    """Up to `size` bytes, fewer only at the end (a pipe may hand out less per read)."""
    parts, remaining = [], size
    while remaining:
        part = source.read(remaining)
        if not part:
            break
        parts.append(part)
        remaining -= len(part)
    return b"".join(parts)


def encrypt_stream(source: BinaryIO, target: BinaryIO, key: bytes, *, chunk_size: int = CHUNK_SIZE) -> None:
    """Writes `source` to `target` encrypted, one chunk in memory at a time."""
    salt = os.urandom(SALT_SIZE)
    cipher, check = _derive(key, salt)
    header = MAGIC + salt + chunk_size.to_bytes(4, "big") + check
    target.write(header)
    number, chunk = 0, _read_exactly(source, chunk_size)
    while True:
        following = _read_exactly(source, chunk_size)
        last = not following
        target.write(cipher.encrypt(_nonce(number, last), chunk, header))
        if last:
            return
        number, chunk = number + 1, following


def decrypt_chunks(source: BinaryIO, key: bytes) -> Iterator[bytes]:
    """The plaintext, chunk by chunk; raises BackupKeyError or BackupDamagedError."""
    header = _read_exactly(source, HEADER_SIZE)
    if len(header) < HEADER_SIZE or not header.startswith(MAGIC):
        raise BackupDamagedError("暗号化されたバックアップの先頭が読めません。")
    salt = header[len(MAGIC) : len(MAGIC) + SALT_SIZE]
    chunk_size = int.from_bytes(header[len(MAGIC) + SALT_SIZE : len(MAGIC) + SALT_SIZE + 4], "big")
    cipher, check = _derive(key, salt)
    if not hmac.compare_digest(check, header[-CHECK_SIZE:]):
        raise BackupKeyError(f"{KEY_ENV} の鍵が、このバックアップを暗号化した鍵と違います。")
    if not 0 < chunk_size <= 64 * CHUNK_SIZE:
        raise BackupDamagedError("暗号化されたバックアップの先頭が壊れています。")
    number, chunk = 0, _read_exactly(source, chunk_size + TAG_SIZE)
    while True:
        following = _read_exactly(source, chunk_size + TAG_SIZE)
        last = not following
        try:
            yield cipher.decrypt(_nonce(number, last), chunk, header)
        except InvalidTag:
            raise BackupDamagedError(
                "バックアップが途中で壊れているか、書き換えられています（暗号の検証に失敗しました）。"
            ) from None
        if last:
            return
        number, chunk = number + 1, following
