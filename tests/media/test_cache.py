"""The rendition cache: fast pre-check, put/get, and collecting what a run did not use."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from immersion.media.cache import CacheReader, MediaCache, file_sha256, output_key


def produced(tmp: Path, name: str, data: bytes) -> Path:
    path = tmp / name
    path.write_bytes(data)
    return path


def test_sha256_reads_a_file_only_when_it_changed(tmp_path: Path) -> None:
    source = produced(tmp_path, "photo.jpg", b"one")
    cache = MediaCache(tmp_path / "cache")
    assert cache.sha256(source) == file_sha256(source)
    assert cache.hashed == 1
    assert cache.sha256(source) == file_sha256(source)
    assert cache.hashed == 1  # size and mtime unchanged: not read again
    os.utime(source)  # touched, same bytes: read again, same hash
    stat = source.stat()
    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert cache.sha256(source) == file_sha256(source)
    assert cache.hashed == 2


def test_outputs_survive_a_new_run_and_unused_ones_are_collected(tmp_path: Path) -> None:
    first = MediaCache(tmp_path / "cache")
    kept = first.put(output_key("a"), produced(tmp_path, "a.webp", b"A"))
    gone = first.put(output_key("b"), produced(tmp_path, "b.webp", b"B"))
    first.put_meta("m", {"width": 3})
    first.close()

    second = MediaCache(tmp_path / "cache")
    assert second.get(output_key("a")) == kept
    assert second.get_meta("m") == {"width": 3}
    stray = second.objects / "zz" / "orphan.webp"  # as if killed between rename and commit
    stray.parent.mkdir()
    stray.write_bytes(b"x")
    assert second.collect() == 2
    assert kept.is_file() and not gone.exists() and not stray.exists()
    assert second.get(output_key("b")) is None
    second.close()


def test_output_keys_change_with_any_part() -> None:
    assert output_key("photo", 1, "sha", 480, "webp") == output_key("photo", 1, "sha", 480, "webp")
    assert output_key("photo", 1, "sha", 480, "webp") != output_key("photo", 1, "sha", 960, "webp")


def test_the_reader_answers_what_the_build_wrote_and_writes_nothing(tmp_path: Path) -> None:
    source = produced(tmp_path, "photo.jpg", b"one")
    cache = MediaCache(tmp_path / "cache")
    sha = cache.sha256(source)
    kept = cache.put(output_key("a"), produced(tmp_path, "a.webp", b"A"))
    cache.put_meta("m", {"width": 3})
    cache.close()
    manifest = tmp_path / "cache" / "manifest.sqlite"
    before = manifest.read_bytes()

    with CacheReader(tmp_path / "cache") as reader:
        assert reader.sha256(source) == sha
        assert reader.file(output_key("a")) == kept
        assert reader.files([output_key("b"), output_key("a")]) == [kept]
        assert reader.meta("m") == {"width": 3} and reader.meta("n") is None
        assert reader.db is not None
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            reader.db.execute("DELETE FROM outputs")
    assert manifest.read_bytes() == before  # not even a "used" mark


def test_the_reader_of_a_missing_or_broken_cache_finds_nothing(tmp_path: Path) -> None:
    source = produced(tmp_path, "photo.jpg", b"one")
    with CacheReader(tmp_path / "nowhere") as reader:
        assert reader.file(output_key("a")) is None
        assert reader.files([output_key("a")]) == []
        assert reader.meta("m") is None
        assert reader.sha256(source) == file_sha256(source)  # read from the file itself
        assert reader.sha256(tmp_path / "gone.jpg") is None
    assert not (tmp_path / "nowhere").exists()  # no cache created where there was none

    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "manifest.sqlite").write_bytes(b"not a database at all")
    with CacheReader(broken) as reader:
        assert reader.file(output_key("a")) is None
        assert reader.meta("m") is None
        assert reader.sha256(source) == file_sha256(source)
