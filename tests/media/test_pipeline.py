"""The media pipeline over a real room: conversion happens once, the cache stays exact."""

from __future__ import annotations

import io
import os
from collections import Counter
from pathlib import Path

import pytest
from conftest import TODAY, jpeg_with_gps, write
from PIL import Image

from immersion.commands import build
from immersion.media import audio as audio_module
from immersion.media import images as images_module


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Counts of real encoder work: Pillow saves and ffmpeg runs (with -j 1, in-process)."""
    counter: Counter[str] = Counter()
    original_save = Image.Image.save

    def save(self: Image.Image, fp: object, format: str | None = None, **params: object) -> None:
        counter["image-save"] += 1
        original_save(self, fp, format, **params)  # type: ignore[arg-type]

    monkeypatch.setattr(Image.Image, "save", save)
    original_convert = audio_module.convert_recording

    def convert(*args: object, **kwargs: object) -> object:
        counter["recording"] += 1
        return original_convert(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(audio_module, "convert_recording", convert)
    original_photo = images_module.convert_photo

    def photo(*args: object, **kwargs: object) -> object:
        counter["photo"] += 1
        return original_photo(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(images_module, "convert_photo", photo)
    return counter


def run(room: Path) -> str:
    out = io.StringIO()
    code = build.run(room, today=TODAY, out=out, jobs=1)
    assert code == 0, out.getvalue()
    return out.getvalue()


def objects(room: Path) -> set[str]:
    return {p.name for p in (room / "build/.cache/objects").rglob("*") if p.is_file()}


def test_second_build_converts_nothing(room: Path, calls: Counter[str]) -> None:
    first = run(room)
    assert calls["photo"] == 2 and calls["recording"] == 1
    assert "photos: 2 converted, 0 reused, 0 failed" in first
    calls.clear()
    second = run(room)
    assert calls == Counter()
    assert "photos: 0 converted, 2 reused, 0 failed" in second
    assert "recordings: 0 converted, 1 reused, 0 failed" in second


def test_touching_a_file_converts_nothing(room: Path, calls: Counter[str]) -> None:
    run(room)
    calls.clear()
    for path in (room / "content").rglob("*.jpg"):
        os.utime(path)
    os.utime(room / "content/stories/p07/interview.m4a")
    run(room)
    assert calls == Counter()


def test_one_new_width_renders_only_that_width(room: Path, calls: Counter[str]) -> None:
    big = room / "content/personas/maya/portrait.jpg"
    jpeg_with_gps(big, size=(1200, 900))
    run(room)
    calls.clear()
    write(
        room / "mkdocs.yml",
        "site_name: Test\nimmersion: {photo_widths: [480, 800, 960, 1920, 3840]}\n",
    )
    run(room)
    # Only the portrait is wide enough for 800 px: one decode, one WebP and one JPEG.
    assert calls["photo"] == 1
    assert calls["image-save"] == 2 + 1  # + the placeholder
    site = room / "build/intranet/media/personas/maya"
    assert sorted(p.name for p in site.iterdir()) == [
        "portrait-1200.jpg",
        "portrait-1200.webp",
        "portrait-480.jpg",
        "portrait-480.webp",
        "portrait-800.jpg",
        "portrait-800.webp",
        "portrait-960.jpg",
        "portrait-960.webp",
    ]


def test_a_deleted_source_leaves_no_orphan(room: Path) -> None:
    run(room)
    before = objects(room)
    kitchen = room / "content/stories/p07/kitchen.jpg"
    kitchen.unlink()
    story = room / "content/stories/p07/index.md"
    story.write_text(story.read_text().replace(" ![Leah's kitchen](kitchen.jpg)", ""))
    run(room)
    after = objects(room)
    assert after < before
    assert not list((room / "build/intranet").rglob("kitchen*"))
    assert not list((room / "build/.staging").rglob("kitchen*"))


def test_renditions_are_published_not_originals(room: Path) -> None:
    run(room)
    site = room / "build/intranet"
    originals = {
        p.read_bytes()
        for p in (room / "content").rglob("*")
        if p.is_file() and p.suffix in (".jpg", ".m4a")
    }
    published = [
        p for p in site.rglob("*") if p.is_file() and p.suffix in (".jpg", ".webp", ".m4a", ".opus")
    ]
    assert published
    assert not [p for p in published if p.read_bytes() in originals]
    media = site / "media/stories/p07"
    names = sorted(p.name for p in media.iterdir())
    assert "interview.opus" in names and "interview.m4a" in names
    assert "interview-hl-1.m4a" in names and "interview-hl-1.opus" in names
    assert "interview.peaks.json" in names
