"""bench/httpd.py runs at its smoke size: every request answered, both parsers agree."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import load_bench


def test_the_httpd_bench_runs_at_its_smoke_size(tmp_path: Path) -> None:
    bench = load_bench("httpd")
    out = tmp_path / "httpd.json"
    report = bench.main(["--smoke", "--json", str(out)])
    assert json.loads(out.read_text()) == json.loads(json.dumps(report))
    for server in report["servers"].values():
        for kind in ("post", "get"):
            assert server[kind]["statuses"] == {200: report["requests"]}
    assert report["parse_alone"]["fields"] == 16  # and the stdlib read the same ones
    assert set(report["cpu_ratio"]) == {"post", "get"}  # figures printed, not asserted
