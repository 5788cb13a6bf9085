"""The pure maths of the master's loudness: loudnorm's report, filter strings, a ceiling.

No I/O: what ffmpeg printed goes in, filter strings and numbers come out.
`media/master.py` runs ffmpeg with them; its module doc says why there are two
passes, a limiter and a ceiling.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

TP_GATE_SLACK_DB = 0.05  # see _apply_filter
SILENT_LUFS = -70.0


@dataclass(frozen=True)
class Loudness:
    """What ``loudnorm`` printed about its input (and output)."""

    i: float
    tp: float
    lra: float
    thresh: float
    output_i: float = math.nan
    output_tp: float = math.nan
    normalization: str = ""

    @property
    def silent(self) -> bool:
        # ffmpeg says -inf (and a threshold of -70) when no 400 ms block passes the gate.
        return not math.isfinite(self.i) or self.i <= SILENT_LUFS


_JSON_BLOCK = re.compile(r"\[Parsed_loudnorm_(\d+) @[^\]]*\][^\n]*\n\s*(\{.*?\})", re.S)


def parse_loudnorm(stderr: str) -> list[Loudness]:
    """Every loudnorm JSON report in ``stderr``, in filter-graph order."""
    found: list[tuple[int, Loudness]] = []
    for index, block in _JSON_BLOCK.findall(stderr):
        try:
            data = json.loads(block)
        except json.JSONDecodeError:
            continue
        if not isinstance(data, dict) or "input_i" not in data:
            continue
        found.append(
            (
                int(index),
                Loudness(
                    i=_num(data.get("input_i")),
                    tp=_num(data.get("input_tp")),
                    lra=_num(data.get("input_lra")),
                    thresh=_num(data.get("input_thresh")),
                    output_i=_num(data.get("output_i")),
                    output_tp=_num(data.get("output_tp")),
                    normalization=str(data.get("normalization_type", "")),
                ),
            )
        )
    return [loudness for _, loudness in sorted(found, key=lambda pair: pair[0])]


def _num(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _mono(sample_rate: int | None = None) -> str:
    chain = "aformat=channel_layouts=mono"
    return f"{chain},aresample={sample_rate}" if sample_rate else chain


def _limiter(ceiling_db: float) -> str:
    """A look-ahead peak limiter at ``ceiling_db`` dBFS, for any ceiling.

    alimiter's own limit only goes down to -24 dB, so the signal is scaled to
    put the ceiling at -6 dB, limited there, and scaled back (in double
    precision, exact). ``latency=1`` removes the look-ahead delay; ``level=0``
    stops alimiter from "auto-levelling" its output to 0 dBFS.
    """
    shift = -6.0 - ceiling_db
    return (
        f"volume={shift:.4f}dB:precision=double,"
        "alimiter=limit=0.5:attack=5:release=50:level=0:latency=1,"
        f"volume={-shift:.4f}dB:precision=double"
    )


def _apply_filter(
    target_i: float, ceiling: float, lra_target: float, m: Loudness, measured_tp: float
) -> str:
    measured_i = min(m.i, -0.01)  # loudnorm takes 0 to mean "not measured"
    # In linear mode TP is only the gate "measured_TP + gain <= TP" (loudnorm limits
    # nothing); our plan puts the peaks exactly on the ceiling, so a little slack
    # keeps the 0.01 dB rounding of the arguments from tipping it into dynamic mode.
    gate = min(ceiling + TP_GATE_SLACK_DB, 0.0)
    return (
        f"loudnorm=I={max(target_i, -70.0):.2f}:TP={max(gate, -9.0):.2f}"
        f":LRA={min(max(lra_target, 1.0), 50.0):.2f}"
        f":measured_I={max(measured_i, -99.0):.2f}:measured_TP={measured_tp:.2f}"
        # LRA 0 (under 3 s of audio, or a steady tone) means "unmeasured" to loudnorm
        f":measured_LRA={min(max(m.lra, 0.1), 50.0):.2f}"
        f":measured_thresh={max(m.thresh, -99.0):.2f}:offset=0:linear=true:print_format=json"
    )


def _solve_ceiling(naive: float, points: Sequence[tuple[float, float]]) -> float:
    """The limiter ceiling h with ``h + loss(h) = naive``.

    ``points`` are measured (ceiling, loudness lost to the limiter) pairs. With the
    limiter at h, the gain that reaches the target is ``naive - h`` dB more than
    ``h`` leaves room for unless it also makes up ``loss(h)``; the root puts the
    final peaks exactly at the master's ceiling. ``h + loss(h)`` rises with h
    (slope 1 + loss', between 0 and 1), so interpolate between bracketing
    points, else extrapolate from the nearest two.
    """
    values = sorted((h, h + loss - naive) for h, loss in points)
    if len(values) == 1:
        h, f = values[0]
        return h - f
    for (ha, fa), (hb, fb) in itertools.pairwise(values):
        if fa <= 0.0 <= fb:
            return ha if fb == fa else ha + (0.0 - fa) * (hb - ha) / (fb - fa)
    (ha, fa), (hb, fb) = (values[0], values[1]) if values[0][1] > 0 else (values[-2], values[-1])
    slope = max((fb - fa) / (hb - ha), 0.1) if hb != ha else 1.0
    return ha - fa / slope
