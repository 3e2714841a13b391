"""The lean tar reader yields what the standard library's tarfile yields, in every format."""

from __future__ import annotations

import io
import tarfile

import pytest

from emboard.errors import StoreError
from emboard.store.tar_stream import iter_tar

LONG = "results/" + "org__" + "m" * 140 + "/rev/" + "T" * 120 + ".json"
FILES = {
    "results/a__b/1/STS12.json": b'{"task_name": "STS12"}',
    LONG: b"x" * 1500,
    "results/ü__ñ/räv/Émotion.json": "é".encode() * 700,
    "results/a__b/1/empty.json": b"",
}


def _archive(fmt: int) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as tar:
        tar.addfile(tarfile.TarInfo("results/a__b"), None)  # a plain entry…
        info = tarfile.TarInfo("results/dir")
        info.type = tarfile.DIRTYPE
        tar.addfile(info)
        link = tarfile.TarInfo("results/link")
        link.type = tarfile.SYMTYPE
        link.linkname = "x" * 150
        tar.addfile(link)
        for name, data in FILES.items():
            member = tarfile.TarInfo(name)
            member.size = len(data)
            tar.addfile(member, io.BytesIO(data))
    return buf.getvalue()


def _stdlib(data: bytes) -> list[tuple[str, bytes]]:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r|") as tar:
        return [(m.name, tar.extractfile(m).read()) for m in tar if m.isfile()]  # type: ignore[union-attr]


@pytest.mark.parametrize("fmt", [tarfile.GNU_FORMAT, tarfile.PAX_FORMAT, tarfile.USTAR_FORMAT])
def test_same_members_as_tarfile(fmt: int) -> None:
    data = _archive_ustar() if fmt == tarfile.USTAR_FORMAT else _archive(fmt)
    ours = list(iter_tar(io.BytesIO(data)))
    assert ours == _stdlib(data)
    if fmt != tarfile.USTAR_FORMAT:
        assert {n for n, _ in ours} >= set(FILES)


def _archive_ustar() -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        name = "results/" + "p" * 90 + "/" + "q" * 60 + "/File.json"  # needs the ustar prefix
        member = tarfile.TarInfo(name)
        member.size = 3
        tar.addfile(member, io.BytesIO(b"abc"))
    return buf.getvalue()


def test_truncated_and_damaged_archives_raise() -> None:
    data = _archive(tarfile.PAX_FORMAT)
    with pytest.raises(StoreError, match="ends in the middle"):
        list(iter_tar(io.BytesIO(data[: len(data) // 2 + 7]), "x.tar"))
    damaged = bytearray(data)
    damaged[10] ^= 0xFF
    with pytest.raises(StoreError, match="checksum"):
        list(iter_tar(io.BytesIO(bytes(damaged)), "x.tar"))
