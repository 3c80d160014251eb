"""The backup files' encryption: chunked AES-256-GCM that refuses a wrong key, a cut or a changed byte."""

import base64
import io
import os
import stat

import pytest

from maintenance.backups import BackupError, pg_tool
from maintenance.encryption import (
    HEADER_SIZE,
    MAGIC,
    TAG_SIZE,
    BackupDamagedError,
    BackupKeyError,
    decrypt_chunks,
    encrypt_stream,
    parse_key,
)

KEY = parse_key("q0mX1ySgYzUu2tB8x6sFQ3gk0v9K6mYcGk7r2s1N4aE=")
OTHER_KEY = parse_key("hV3S6Q8w2Gz9YtL1cJm4Xo7pE0aR5uK2nB8dF1sW6qI=")
CHUNK = 64


def encrypt(data: bytes, key: bytes = KEY) -> bytes:
    out = io.BytesIO()
    encrypt_stream(io.BytesIO(data), out, key, chunk_size=CHUNK)
    return out.getvalue()


def decrypt(data: bytes, key: bytes = KEY) -> bytes:
    return b"".join(decrypt_chunks(io.BytesIO(data), key))


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 5])
def test_what_is_encrypted_comes_back_whole_whatever_its_size(size):
    data = os.urandom(size)

    encrypted = encrypt(data)

    assert encrypted.startswith(MAGIC)
    assert len(data) < 16 or data[:16] not in encrypted
    assert decrypt(encrypted) == data


def test_the_same_data_encrypts_differently_each_time():
    assert encrypt(b"same") != encrypt(b"same")


def test_a_wrong_key_is_told_apart_from_a_damaged_file():
    with pytest.raises(BackupKeyError, match="鍵が、このバックアップを暗号化した鍵と違います"):
        decrypt(encrypt(b"data" * 100), OTHER_KEY)


def test_a_file_cut_at_a_chunk_boundary_is_refused():
    encrypted = encrypt(os.urandom(3 * CHUNK + 5))
    cut = encrypted[: HEADER_SIZE + 2 * (CHUNK + TAG_SIZE)]

    with pytest.raises(BackupDamagedError):
        decrypt(cut)


def test_a_changed_byte_is_refused():
    encrypted = bytearray(encrypt(os.urandom(3 * CHUNK)))
    encrypted[HEADER_SIZE + CHUNK + TAG_SIZE + 3] ^= 1

    with pytest.raises(BackupDamagedError, match="壊れているか、書き換えられています"):
        decrypt(bytes(encrypted))


def test_swapped_chunks_are_refused():
    encrypted = encrypt(os.urandom(3 * CHUNK))
    size = CHUNK + TAG_SIZE
    header, first, second, rest = (
        encrypted[:HEADER_SIZE],
        encrypted[HEADER_SIZE : HEADER_SIZE + size],
        encrypted[HEADER_SIZE + size : HEADER_SIZE + 2 * size],
        encrypted[HEADER_SIZE + 2 * size :],
    )

    with pytest.raises(BackupDamagedError):
        decrypt(header + second + first + rest)


@pytest.mark.parametrize("text", ["", "short", "bm90IDMyIGJ5dGVz", "!!!not base64!!!"])
def test_a_key_that_is_not_32_bytes_in_base64_is_refused_with_how_to_make_one(text):
    with pytest.raises(BackupKeyError, match="openssl rand -base64 32"):
        parse_key(text)


def test_a_key_is_read_in_the_standard_or_the_url_safe_base64_alphabet():
    raw = bytes([0xFB, 0xFF, 0xBF]) * 10 + b"\xfb\xff"

    assert "+" in base64.b64encode(raw).decode() and "-" in base64.urlsafe_b64encode(raw).decode()
    assert parse_key(base64.b64encode(raw).decode()) == raw
    assert parse_key(base64.urlsafe_b64encode(raw).decode() + "\n") == raw


def test_a_pg_dump_older_than_the_server_is_refused_with_the_package_to_install(tmp_path, monkeypatch):
    fake = tmp_path / "pg_dump"
    fake.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 13.4'\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", str(tmp_path))

    # No /usr/lib/postgresql/99: the one on PATH is used, and it is too old for a version 99 server.
    with pytest.raises(BackupError, match=r"版（13）が PostgreSQL サーバーの版（99）より古い.*postgresql-client-99"):
        pg_tool("pg_dump", 99)
