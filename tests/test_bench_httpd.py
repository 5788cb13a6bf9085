"""bench/httpd.py runs at its smoke size: every request answered, both parsers agree."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_httpd_bench_runs_at_its_smoke_size(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("bench_httpd", ROOT / "bench" / "httpd.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    sys.modules["bench_httpd"] = bench
    spec.loader.exec_module(bench)
    out = tmp_path / "httpd.json"
    report = bench.main(["--smoke", "--json", str(out)])
    assert json.loads(out.read_text()) == json.loads(json.dumps(report))
    for server in report["servers"].values():
        for kind in ("post", "get"):
            assert server[kind]["statuses"] == {200: report["requests"]}
    assert report["parse_alone"]["fields"] == 16  # and the stdlib read the same ones
    assert set(report["cpu_ratio"]) == {"post", "get"}  # figures printed, not asserted
