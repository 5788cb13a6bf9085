"""Bursts of file events become one rebuild; editors' scratch files none."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from immersion.preview.watcher import Debouncer, Watcher, relative
from immersion.project import Project


def test_200_events_in_one_second_settle_into_one_batch() -> None:
    debouncer = Debouncer(settle=0.15, longest=2.0)
    batches: list[set[str]] = []

    def builder() -> None:
        while (batch := debouncer.take()) is not None:
            batches.append(batch)

    thread = threading.Thread(target=builder)
    thread.start()
    for i in range(200):
        debouncer.add([f"content/stories/p07/photo-{i:03}.jpg"])
        time.sleep(0.005)
    time.sleep(0.5)
    debouncer.close()
    thread.join(5)
    assert len(batches) == 1
    assert len(batches[0]) == 200


def test_repeated_events_for_one_file_are_one_path() -> None:
    debouncer = Debouncer(settle=0.05)
    for _ in range(50):
        debouncer.add(["content/stories/p07/index.md"])
    assert debouncer.take(timeout=1) == {"content/stories/p07/index.md"}
    assert debouncer.take(timeout=0.2) is None


def test_events_during_a_rebuild_queue_exactly_one_more() -> None:
    debouncer = Debouncer(settle=0.05)
    debouncer.add(["content/a/index.md"])
    first = debouncer.take(timeout=1)
    assert first == {"content/a/index.md"}
    # "rebuilding": many saves arrive meanwhile
    for i in range(30):
        debouncer.add([f"content/stories/s{i}/index.md"])
    second = debouncer.take(timeout=1)
    assert second is not None and len(second) == 30
    assert debouncer.take(timeout=0.3) is None  # and then nothing


def test_a_burst_longer_than_longest_is_cut_so_the_editor_sees_progress() -> None:
    clock = [0.0]
    debouncer = Debouncer(settle=0.2, longest=2.0, clock=lambda: clock[0])
    for i in range(100):  # one event every 50 ms for 5 s: never quiet for 200 ms
        clock[0] = i * 0.05
        debouncer.add([f"f{i}"])
        if clock[0] >= 2.0:
            break
    batch = debouncer.take(timeout=0)
    assert batch is not None and len(batch) == 41  # f0..f40: cut at 2 s


def test_take_waits_for_the_quiet_period() -> None:
    clock = [10.0]
    debouncer = Debouncer(settle=0.2, longest=2.0, clock=lambda: clock[0])
    debouncer.add(["a"])
    clock[0] = 10.1
    assert debouncer.take(timeout=0) is None  # still settling
    clock[0] = 10.25
    assert debouncer.take(timeout=0) == {"a"}


def test_close_wakes_a_waiting_builder() -> None:
    debouncer = Debouncer()
    result: list[object] = ["unset"]
    thread = threading.Thread(target=lambda: result.__setitem__(0, debouncer.take()))
    thread.start()
    time.sleep(0.1)
    debouncer.close()
    thread.join(2)
    assert result == [None]


def test_relative_paths() -> None:
    root = os.path.join(os.sep, "room")
    assert relative(os.path.join(root, "content", "room.yml"), root) == "content/room.yml"
    assert relative(root, root) is None
    assert relative(os.path.join(os.sep, "elsewhere", "x"), root) is None
    assert relative(os.fsencode(os.path.join(root, "mkdocs.yml")), root) == "mkdocs.yml"


# -- the real watcher (inotify) ----------------------------------------------------


def _watch(project: Path) -> tuple[Watcher, Debouncer]:
    debouncer = Debouncer(settle=0.15)
    watcher = Watcher(Project(project), debouncer.add)
    watcher.start()
    time.sleep(0.2)
    return watcher, debouncer


def test_editor_scratch_files_and_build_cause_no_rebuild(tmp_path: Path) -> None:
    bundle = tmp_path / "content" / "stories" / "p07"
    bundle.mkdir(parents=True)
    (tmp_path / "build" / "intranet").mkdir(parents=True)
    watcher, debouncer = _watch(tmp_path)
    try:
        for name in (
            ".index.md.swp",
            "index.md~",
            ".#index.md",
            "4913",
            "photo.jpg.tmp",
            ".DS_Store",
        ):
            (bundle / name).write_text("scratch")
            (bundle / name).unlink()
        (tmp_path / "build" / "intranet" / "index.html").write_text("<p>built</p>")
        (tmp_path / "notes.txt").write_text("not watched")
        assert debouncer.take(timeout=1.0) is None
    finally:
        watcher.stop()


def test_an_atomic_save_is_one_change_to_the_real_file(tmp_path: Path) -> None:
    bundle = tmp_path / "content" / "stories" / "p07"
    bundle.mkdir(parents=True)
    (bundle / "index.md").write_text("old")
    watcher, debouncer = _watch(tmp_path)
    try:
        # what Vim does: probe file, swap file, write a temp, rename it over the original
        (bundle / "4913").write_text("")
        (bundle / "4913").unlink()
        (bundle / ".index.md.swp").write_text("swap")
        (bundle / "index.md.tmp").write_text("new text")
        os.replace(bundle / "index.md.tmp", bundle / "index.md")
        (bundle / ".index.md.swp").unlink()
        assert debouncer.take(timeout=3.0) == {"content/stories/p07/index.md"}
    finally:
        watcher.stop()


def test_mkdocs_yml_room_yml_and_a_new_themes_folder_are_watched(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    watcher, debouncer = _watch(tmp_path)
    try:
        (tmp_path / "mkdocs.yml").write_text("site_name: x\n")
        (tmp_path / "content" / "room.yml").write_text("name: x\n")
        assert debouncer.take(timeout=3.0) == {"mkdocs.yml", "content/room.yml"}
        # themes/ did not exist when the preview started
        (tmp_path / "themes" / "intranet").mkdir(parents=True)
        time.sleep(0.3)
        debouncer.take(timeout=1.0)  # the folders themselves
        (tmp_path / "themes" / "intranet" / "main.html").write_text("{% extends 'base.html' %}")
        batch = debouncer.take(timeout=3.0)
        assert batch is not None and "themes/intranet/main.html" in batch
    finally:
        watcher.stop()
