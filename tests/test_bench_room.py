"""bench/room.py runs at its smoke size: every report accepted, every event stored once."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_room_bench_runs_at_its_smoke_size(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("bench_room", ROOT / "bench" / "room.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    sys.modules["bench_room"] = bench
    spec.loader.exec_module(bench)
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
