"""bench/room.py runs at its smoke size: every report accepted, every event stored once."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import load_bench


def test_the_room_bench_runs_at_its_smoke_size(tmp_path: Path) -> None:
    bench = load_bench("room")
    out = tmp_path / "room.json"
    report = bench.main(["--smoke", "--json", str(out)])
    assert json.loads(out.read_text()) == json.loads(json.dumps(report))
    assert report["events"] > 500  # the room was open: slides, taps and idle resets
    assert report["endpoints"]["statuses"] == {200: report["requests"]}  # the limiter let it be
    assert report["http_sample"]["statuses"] == {200: report["requests"]}
    assert report["endpoints"]["events_stored"] == report["events"]
    beats = report["heartbeats"]
    assert beats["carried"] > 0 and beats["alone"] > 0  # open hours, and the night
    for run in ("endpoints", "endpoints_together"):
        assert report[run]["heartbeats_stored"] == beats["alone"] + beats["carried"]
    assert report["raw"]["events"] == report["events"]
