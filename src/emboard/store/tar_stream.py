"""A lean reader of tar streams: (name, bytes) of every regular file, in archive order.

The standard library's ``tarfile`` spends ~70 µs of Python per member building ``TarInfo``
objects; the results archive has 106k members, so reading it took 7 s of which decompression
was 0.5 s. This reader parses only what an ingest needs (ustar names with prefix, pax ``path``
and ``size`` records, GNU long names, octal and base-256 sizes) and checks every header's
checksum; anything else is skipped by its size. The tests compare it with ``tarfile`` on the
real archive and on GNU- and pax-format archives made by ``tarfile``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from emboard.errors import StoreError

BLOCK = 512
_REGULAR = (b"0", b"\0", b"7")


def _read_exact(stream: BinaryIO, n: int, where: str) -> bytes:
    chunks = []
    left = n
    while left:
        chunk = stream.read(left)
        if not chunk:
            raise StoreError(f"{where}: the archive ends in the middle of a member")
        chunks.append(chunk)
        left -= len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _number(field: bytes, where: str) -> int:
    if field[:1] and field[0] & 0x80:  # base-256 (GNU) for large values
        value = int.from_bytes(field[1:], "big")
        return -value if field[0] & 0x40 else value
    text = field.split(b"\0", 1)[0].strip()
    try:
        return int(text, 8) if text else 0
    except ValueError:
        raise StoreError(f"{where}: bad number {field!r} in a tar header") from None


def _checksum_ok(header: bytes) -> bool:
    stored = header[148:156].split(b"\0", 1)[0].strip()
    if not stored:
        return False
    unsigned = sum(header[:148]) + 8 * 32 + sum(header[156:])
    try:
        return int(stored, 8) == unsigned
    except ValueError:
        return False


def _pax_records(data: bytes) -> dict[str, str]:
    records: dict[str, str] = {}
    pos = 0
    while pos < len(data):
        space = data.index(b" ", pos)
        length = int(data[pos:space])
        key, _, value = data[space + 1 : pos + length - 1].partition(b"=")
        records[key.decode("utf-8", "replace")] = value.decode("utf-8", "replace")
        pos += length
    return records


def _padded(size: int) -> int:
    return (size + BLOCK - 1) // BLOCK * BLOCK


def iter_tar(stream: BinaryIO, where: str = "archive") -> Iterator[tuple[str, bytes]]:
    """``(name, content)`` of each regular file of an uncompressed tar stream."""
    long_name: str | None = None
    pax: dict[str, str] = {}
    global_pax: dict[str, str] = {}
    while True:
        header = stream.read(BLOCK)
        if 0 < len(header) < BLOCK:
            raise StoreError(f"{where}: the archive ends in the middle of a member")
        if not header or header == bytes(BLOCK):
            return
        if not _checksum_ok(header):
            raise StoreError(f"{where}: a tar header has a bad checksum (damaged archive?)")
        kind = header[156:157]
        size = _number(header[124:136], where)
        merged = {**global_pax, **pax}
        size = int(merged.get("size", size))
        data_len = _padded(size)
        if kind in (b"x", b"g", b"L", b"K"):
            data = _read_exact(stream, data_len, where)[:size]
            if kind == b"x":
                pax = _pax_records(data)
            elif kind == b"g":
                global_pax.update(_pax_records(data))
            elif kind == b"L":
                long_name = data.split(b"\0", 1)[0].decode("utf-8", "replace")
            continue
        name = header[:100].split(b"\0", 1)[0].decode("utf-8", "replace")
        if header[257:262] == b"ustar":
            prefix = header[345:500].split(b"\0", 1)[0].decode("utf-8", "replace")
            if prefix:
                name = f"{prefix}/{name}"
        name = merged.get("path") or long_name or name
        long_name, pax = None, {}
        if kind in _REGULAR:
            yield name, _read_exact(stream, data_len, where)[:size]
        elif data_len:  # directories, links, devices, unknown types: skip any data
            _read_exact(stream, data_len, where)
