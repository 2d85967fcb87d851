"""Atomic writes in chunks: the bytes as given, large chunks sent to the disk as they come, the old file kept on
an error of the chunks' producer."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from vises.io.atomic import write_chunks_atomic

MIB = 1 << 20


def _chunks() -> list[bytes | str]:
    return [b"a" * (2 * MIB), "small text é\n", b"b" * MIB, b"", "c" * (3 * MIB)]


def _expected() -> bytes:
    return b"".join(chunk.encode("utf-8") if isinstance(chunk, str) else chunk for chunk in _chunks())


def test_large_chunks_are_sent_to_the_disk_as_they_are_written(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []

    def advise(descriptor: int, offset: int, length: int, advice: int) -> None:
        assert advice == os.POSIX_FADV_DONTNEED
        calls.append((offset, length))

    monkeypatch.setattr(os, "posix_fadvise", advise, raising=False)
    monkeypatch.setattr(os, "POSIX_FADV_DONTNEED", 4, raising=False)
    target = write_chunks_atomic(tmp_path / "out.csv", _chunks())
    assert target.read_bytes() == _expected()
    small = len("small text é\n".encode())
    assert calls == [(0, 2 * MIB), (2 * MIB + small, MIB), (3 * MIB + small, 3 * MIB)]


@pytest.mark.parametrize("refusal", ["raises", "absent"])
def test_the_writeback_hint_is_best_effort(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, refusal: str) -> None:
    if refusal == "absent":
        monkeypatch.delattr(os, "posix_fadvise", raising=False)
    else:

        def advise(*args: int) -> None:
            raise OSError(22, "Invalid argument")

        monkeypatch.setattr(os, "posix_fadvise", advise, raising=False)
        monkeypatch.setattr(os, "POSIX_FADV_DONTNEED", 4, raising=False)
    assert write_chunks_atomic(tmp_path / "out.csv", _chunks()).read_bytes() == _expected()


def test_an_error_while_producing_the_chunks_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_bytes(b"old")

    def failing() -> Iterator[bytes]:
        yield b"x" * (2 * MIB)
        raise RuntimeError("the report failed half way")

    with pytest.raises(RuntimeError, match="half way"):
        write_chunks_atomic(target, failing())
    assert target.read_bytes() == b"old"
    assert [path.name for path in tmp_path.iterdir()] == ["out.csv"]  # the temporary file is gone
