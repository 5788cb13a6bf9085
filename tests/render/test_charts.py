"""The journey emotion curve: parsed as XML and checked for what a viewer would see."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping

import pytest

from immersion.model import Journey, Source, Stage
from immersion.render.charts import (
    STRIP_HEIGHT,
    STRIP_PAD,
    Series,
    axis_marks,
    column_x,
    describe_score,
    emotion_curve_svg,
    emotion_strip_svg,
    legend_entries,
    legend_layout,
    runs,
    score_y,
    series_for,
    strip_x,
    swatch_svg,
    wrap_label,
)
from immersion.schema import EvidenceRef

NS = {"svg": "http://www.w3.org/2000/svg"}
SVG = "{http://www.w3.org/2000/svg}"


def stage(
    id: str,
    emotion: int | Mapping[str, int] | None,
    *,
    title: str | None = None,
    moment: bool = False,
    evidence: tuple[EvidenceRef, ...] = (),
) -> Stage:
    return Stage(
        id=id,
        title=title if title is not None else id.capitalize(),
        doing="",
        thinking="",
        feeling="",
        emotion=emotion,
        channels=(),
        touchpoints=(),
        pain_points=(),
        opportunities=(),
        moment_of_truth=moment,
        evidence=evidence,
    )


def journey(
    *stages: Stage, personas: tuple[str, ...] = ("maya", "raj"), title: str = "Moving"
) -> Journey:
    return Journey(
        id="moving-home",
        title=title,
        personas=personas,
        stages=stages,
        tags=(),
        body="",
        source=Source("x"),
    )


NAMES = {"maya": "Maya", "raj": "Raj"}


def href_for(ref: EvidenceRef) -> str | None:
    return f"../../stories/{ref.story}/#{ref.anchor}"


def render(j: Journey, names: Mapping[str, str] = NAMES, href=href_for, **kw: int) -> ET.Element:
    return ET.fromstring(emotion_curve_svg(j, names, href, **kw))


def series_groups(root: ET.Element) -> list[ET.Element]:
    return root.findall(".//svg:g[@class='series']", NS)


def legend_labels(root: ET.Element) -> list[str]:
    return [
        "".join(t.itertext())
        for t in root.findall(".//svg:g[@class='legend']//svg:text", NS)
        if "".join(t.itertext()) != "★"
    ]


def point_titles(root: ET.Element) -> dict[str, float]:
    """Each point's tooltip -> its y position (wherever the title sits: circle or link)."""
    found: dict[str, float] = {}
    for group in series_groups(root):
        for link in group.findall("svg:a", NS):
            title = link.find("svg:title", NS)
            circle = link.find("svg:circle", NS)
            assert title is not None and circle is not None
            found[title.text or ""] = float(circle.get("cy", "nan"))
        for circle in group.findall("svg:circle", NS):
            title = circle.find("svg:title", NS)
            assert title is not None
            found[title.text or ""] = float(circle.get("cy", "nan"))
    return found


# ---------------------------------------------------------------- which lines


def test_all_int_scores_draw_one_shared_line() -> None:
    root = render(journey(stage("plan", -1), stage("book", 1), stage("move", 2)))
    assert len(series_groups(root)) == 1
    assert legend_labels(root) == ["All personas"]
    assert len(root.findall(".//svg:polyline", NS)) == 1


def test_identical_per_persona_maps_still_one_line() -> None:
    root = render(
        journey(stage("plan", {"maya": -1, "raj": -1}), stage("book", 1), stage("move", 0))
    )
    assert len(series_groups(root)) == 1
    assert "All personas at Plan: negative" in point_titles(root)


def test_differing_scores_draw_one_line_per_persona_named() -> None:
    root = render(
        journey(stage("plan", {"maya": -1, "raj": 1}), stage("book", 0)),
        names={"maya": "Maya"},  # raj has no name: falls back to the id
    )
    groups = series_groups(root)
    assert [g.get("data-persona") for g in groups] == ["maya", "raj"]
    assert legend_labels(root) == ["Maya", "raj"]
    titles = point_titles(root)
    assert "Maya at Plan: negative" in titles
    assert "raj at Plan: positive" in titles
    # The single-int stage applies to both personas.
    assert "Maya at Book: neutral" in titles
    assert "raj at Book: neutral" in titles


def test_persona_lines_differ_by_more_than_colour() -> None:
    root = render(
        journey(
            stage("plan", {"maya": -1, "raj": 1, "sam": 2}),
            stage("book", 0),
            personas=("maya", "raj", "sam"),
        )
    )
    lines = root.findall(".//svg:polyline", NS)
    assert len(lines) == 3
    assert len({line.get("stroke") for line in lines}) == 3
    assert len({line.get("stroke-dasharray") for line in lines}) == 3


def test_one_persona_journey_is_labelled_with_that_persona() -> None:
    root = render(journey(stage("plan", 1), personas=("maya",)))
    assert legend_labels(root) == ["Maya"]


# ---------------------------------------------------------------- positions


def test_higher_scores_are_drawn_higher() -> None:
    root = render(journey(*(stage(f"s{v + 2}", v) for v in (-2, -1, 0, 1, 2))))
    ys = point_titles(root)
    by_score = [ys[f"All personas at S{v + 2}: {describe_score(v)}"] for v in (-2, -1, 0, 1, 2)]
    # SVG y grows downwards: each better score sits strictly above the one before.
    assert by_score == sorted(by_score, reverse=True)
    assert len(set(by_score)) == 5


def test_points_follow_stage_order_left_to_right() -> None:
    root = render(journey(stage("a", 0), stage("b", 0), stage("c", 0)))
    (line,) = root.findall(".//svg:polyline", NS)
    xs = [float(p.split(",")[0]) for p in (line.get("points") or "").split()]
    assert xs == sorted(xs) and len(xs) == 3


# ---------------------------------------------------------------- links


def test_point_with_evidence_links_to_its_first_evidence() -> None:
    root = render(
        journey(
            stage("plan", -1, evidence=(EvidenceRef("p07", "hl-3"), EvidenceRef("p08", "hl-1"))),
            stage("book", 1),
        )
    )
    links = root.findall(".//svg:g[@class='series']/svg:a", NS)
    assert [a.get("href") for a in links] == ["../../stories/p07/#hl-3"]
    assert links[0].find("svg:circle", NS) is not None
    # The point without evidence is a bare circle.
    assert len(root.findall(".//svg:g[@class='series']/svg:circle", NS)) == 1


def test_evidence_without_a_url_is_not_linked() -> None:
    root = render(
        journey(stage("plan", -1, evidence=(EvidenceRef("gone", "hl-1"),))), href=lambda ref: None
    )
    assert root.findall(".//svg:a", NS) == []
    assert len(root.findall(".//svg:circle[@class='point']", NS)) == 1


def test_script_urls_are_never_links() -> None:
    root = render(
        journey(stage("plan", -1, evidence=(EvidenceRef("p07", "hl-3"),))),
        href=lambda ref: "javascript:alert(1)",
    )
    assert root.findall(".//svg:a", NS) == []


# ---------------------------------------------------------------- moments of truth


def test_moment_of_truth_is_marked_and_explained() -> None:
    root = render(journey(stage("plan", -1), stage("book", -2, moment=True), stage("move", 1)))
    bands = root.findall(".//svg:g[@class='moment-of-truth']", NS)
    assert len(bands) == 1
    assert bands[0].findtext("svg:title", namespaces=NS) == "Moment of truth: Book"
    assert "moment of truth" in legend_labels(root)
    assert "All personas at Book: very negative – moment of truth" in point_titles(root)
    # The band sits over the Book column, the middle one of three.
    rect = bands[0].find("svg:rect", NS)
    assert rect is not None
    x, w = float(rect.get("x", "0")), float(rect.get("width", "0"))
    (book_label,) = [
        t
        for t in root.findall(".//svg:g[@class='stages']/svg:text", NS)
        if "Book" in "".join(t.itertext())
    ]
    assert x < float(book_label.get("x", "0")) < x + w


def test_no_moment_of_truth_means_no_band_or_legend_entry() -> None:
    root = render(journey(stage("plan", -1)))
    assert root.findall(".//svg:g[@class='moment-of-truth']", NS) == []
    assert "moment of truth" not in legend_labels(root)


# ---------------------------------------------------------------- gaps


def test_missing_score_breaks_the_line_but_keeps_the_label() -> None:
    root = render(journey(stage("a", 1), stage("b", None), stage("c", 1), stage("d", 2)))
    lines = root.findall(".//svg:polyline", NS)
    # a | gap | c-d: the lone point a has no line, c-d is one line of two points.
    assert len(lines) == 1
    assert len((lines[0].get("points") or "").split()) == 2
    assert len(root.findall(".//svg:circle[@class='point']", NS)) == 3
    labels = ["".join(t.itertext()) for t in root.findall(".//svg:g[@class='stages']/svg:text", NS)]
    assert labels == ["A", "B", "C", "D"]


def test_persona_missing_from_a_map_has_a_gap_there() -> None:
    root = render(journey(stage("a", 0), stage("b", {"maya": -1}), stage("c", 1)))
    maya, raj = series_groups(root)
    assert len(maya.findall("svg:polyline", NS)) == 1  # a-b-c unbroken
    assert len(maya.findall("svg:circle", NS)) == 3
    assert raj.findall("svg:polyline", NS) == []  # a and c, with a gap at b
    assert len(raj.findall("svg:circle", NS)) == 2


def test_journey_with_no_scores_or_no_stages_still_renders() -> None:
    root = render(journey(stage("a", None)))
    assert root.findall(".//svg:circle", NS) == []
    assert "No emotion scores" in (root.findtext("svg:desc", namespaces=NS) or "")
    empty = render(journey())
    assert "no stages" in (empty.findtext("svg:desc", namespaces=NS) or "")


# ---------------------------------------------------------------- safety and embedding


HOSTILE = '"><img src=x onerror=alert(1)><script>alert(2)</script>'


def test_content_is_escaped_text_never_markup() -> None:
    j = journey(
        stage("plan", {"maya": -1, "raj": 1}, title=HOSTILE, moment=True),
        title=HOSTILE,
        personas=("maya", "raj"),
    )
    svg = emotion_curve_svg(j, {"maya": HOSTILE}, href_for)
    assert "<script" not in svg and "<img" not in svg
    root = ET.fromstring(svg)
    tags = {el.tag for el in root.iter()}
    assert f"{SVG}script" not in tags and f"{SVG}img" not in tags and "img" not in tags
    assert not any(name.lower().startswith("on") for el in root.iter() for name in el.attrib)
    # The text is still there for a person to read.
    assert HOSTILE in (root.findtext("svg:title", namespaces=NS) or "")
    assert f"{HOSTILE} at {HOSTILE}: negative – moment of truth" in point_titles(root)


def test_root_is_an_accessible_responsive_svg() -> None:
    root = render(journey(stage("plan", -1), stage("book", 2)), width=800, height=300)
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox") == "0 0 800 300"
    assert root.get("role") == "group"  # "img" would hide its evidence links
    assert root.get("class") == "emotion-curve"
    assert root.get("width") is None and root.get("height") is None
    ids = {el.get("id") for el in root.iter() if el.get("id")}
    assert set((root.get("aria-labelledby") or "").split()) <= ids
    desc = root.findtext("svg:desc", namespaces=NS) or ""
    assert "lowest at Plan" in desc and "highest at Book" in desc


def test_output_is_safe_to_embed_in_markdown() -> None:
    j = journey(stage("plan", -1, title="Line one\n\n    indented code"), title="A\n\nB")
    svg = emotion_curve_svg(j, NAMES, href_for)
    assert "\n\n" not in svg
    assert not any(line.startswith("    ") for line in svg.splitlines())
    assert "Line one indented code" in "".join(ET.fromstring(svg).itertext())


# ---------------------------------------------------------------- pure helpers


@pytest.mark.parametrize(
    ("score", "expected"),
    [(2, 0.0), (1, 25.0), (0, 50.0), (-1, 75.0), (-2, 100.0), (5, 0.0), (-9, 100.0)],
)
def test_score_y(score: int, expected: float) -> None:
    assert score_y(score, top=0, bottom=100) == expected


@pytest.mark.parametrize(
    ("index", "count", "expected"), [(0, 1, 50.0), (0, 2, 25.0), (1, 2, 75.0), (3, 4, 87.5)]
)
def test_column_x(index: int, count: int, expected: float) -> None:
    assert column_x(index, count, 0, 100) == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], []),
        ([None, None], []),
        ([1, 2], [[(0, 1), (1, 2)]]),
        ([1, None, 2, 0], [[(0, 1)], [(2, 2), (3, 0)]]),
        ([None, 0, None], [[(1, 0)]]),
    ],
)
def test_runs(values: list[int | None], expected: list[list[tuple[int, int]]]) -> None:
    assert runs(values) == expected


@pytest.mark.parametrize(
    ("stages", "personas", "expected"),
    [
        ([1, None, -2], ("maya", "raj"), [Series(None, (1, None, -2))]),
        ([{"maya": 1, "raj": 1}, 0], ("maya", "raj"), [Series(None, (1, 0))]),
        (
            [{"maya": 1, "raj": -1}, 0],
            ("maya", "raj"),
            [Series("maya", (1, 0)), Series("raj", (-1, 0))],
        ),
        ([{"maya": 1}, 0], ("maya", "raj"), [Series("maya", (1, 0)), Series("raj", (None, 0))]),
        # Scored but not listed: drawn rather than lost.
        ([{"maya": 1, "ann": 2}], ("maya",), [Series("maya", (1,)), Series("ann", (2,))]),
        # Listed but never scored: no empty legend entry.
        ([{"maya": 1}, {"maya": 2}], ("maya", "raj"), [Series("maya", (1, 2))]),
        ([], ("maya",), []),
        ([None, {}], ("maya",), []),
    ],
)
def test_series_for(
    stages: list[int | Mapping[str, int] | None],
    personas: tuple[str, ...],
    expected: list[Series],
) -> None:
    j = journey(*(stage(f"s{i}", e) for i, e in enumerate(stages)), personas=personas)
    assert series_for(j) == expected


@pytest.mark.parametrize(
    ("text", "max_chars", "expected"),
    [
        ("Packing", 20, ["Packing"]),
        ("Planning the move", 10, ["Planning", "the move"]),
        ("Planning the big move today", 10, ["Planning", "the big…"]),
        ("Supercalifragilistic", 8, ["Superca…"]),
        ("", 10, []),
    ],
)
def test_wrap_label(text: str, max_chars: int, expected: list[str]) -> None:
    assert wrap_label(text, max_chars) == expected
    assert all(len(line) <= max_chars for line in wrap_label(text, max_chars))


def test_legend_layout_wraps_onto_new_rows() -> None:
    assert legend_layout([40, 40, 40], start=0, end=100) == [(0, 0), (40, 0), (0, 1)]
    # An entry wider than the row still gets a row of its own rather than vanishing.
    assert legend_layout([150, 10], start=0, end=100) == [(0, 0), (0, 1)]


@pytest.mark.parametrize(
    ("score", "expected"),
    [(-2, "very negative"), (0, "neutral"), (1, "positive"), (2, "very positive")],
)
def test_describe_score(score: int, expected: str) -> None:
    assert describe_score(score) == expected


# ---------------------------------------------------------------- the strip


def strip(j: Journey, names: Mapping[str, str] = NAMES, href=href_for) -> ET.Element:
    return ET.fromstring(emotion_strip_svg(j, names, href))


def strip_points(root: ET.Element) -> dict[str, tuple[str, float, str]]:
    """Each point's tooltip -> (cx as written, cy, the transform of its line's group)."""
    found: dict[str, tuple[str, float, str]] = {}
    for group in series_groups(root):
        shift = group.get("transform", "")
        for holder in [*group.findall("svg:a", NS), *group.findall("svg:circle", NS)]:
            title = holder.find("svg:title", NS)
            circle = holder if holder.tag == f"{SVG}circle" else holder.find("svg:circle", NS)
            assert title is not None and circle is not None
            found[title.text or ""] = (circle.get("cx", ""), float(circle.get("cy", "nan")), shift)
    return found


def test_strip_points_sit_at_the_centres_of_equal_columns() -> None:
    j = journey(stage("a", 1), stage("b", -2), stage("c", 0), stage("d", 2))
    points = strip_points(strip(j))
    cx = [
        points[f"All personas at {t}: {describe_score(v)}"][0]
        for t, v in (("A", 1), ("B", -2), ("C", 0), ("D", 2))
    ]
    assert cx == ["12.5%", "37.5%", "62.5%", "87.5%"]
    assert [strip_x(i, 4) for i in range(4)] == [12.5, 37.5, 62.5, 87.5]


def test_strip_has_no_text_and_no_viewbox() -> None:
    """Nothing in the strip scales: no viewBox, and no label drawn inside it."""
    root = strip(journey(stage("a", 1, moment=True), stage("b", -1)))
    assert root.get("viewBox") is None
    assert root.get("width") == "100%" and root.get("height") == str(STRIP_HEIGHT)
    assert root.findall(".//svg:text", NS) == []
    # Its only words are for screen readers: the title and the summary.
    assert root.get("aria-labelledby") == "es-moving-home-title es-moving-home-desc"
    desc = root.find("svg:desc", NS)
    assert desc is not None and "lowest at B, negative" in (desc.text or "")


def test_strip_lines_join_neighbouring_points_in_percent() -> None:
    root = strip(journey(stage("a", 1), stage("b", None), stage("c", 0), stage("d", -1)))
    (group,) = series_groups(root)
    segments = [(line.get("x1"), line.get("x2")) for line in group.findall("svg:line", NS)]
    # The gap at B breaks the line: C-D is the only segment.
    assert segments == [("62.5%", "87.5%")]


def test_strip_gridlines_match_the_html_axis() -> None:
    root = strip(journey(stage("a", 0)))
    grid = [
        float(line.get("y1", "nan")) for line in root.findall("svg:g[@class='grid']/svg:line", NS)
    ]
    marks = axis_marks()
    assert [w for _s, w, _y in marks] == [
        "very positive",
        "positive",
        "neutral",
        "negative",
        "very negative",
    ]
    assert sorted(grid) == sorted(y for _s, _w, y in marks)
    assert marks[0][2] == STRIP_PAD and marks[-1][2] == STRIP_HEIGHT - STRIP_PAD


def test_strip_points_of_several_lines_are_nudged_a_few_px_apart() -> None:
    j = journey(stage("a", {"maya": 1, "raj": 1}), stage("b", {"maya": -1, "raj": 2}))
    points = strip_points(strip(j))
    maya = points["Maya at A: positive"]
    raj = points["Raj at A: positive"]
    assert maya[0] == raj[0] == "25%"  # same column centre ...
    assert {maya[2], raj[2]} == {"translate(-3 0)", "translate(3 0)"}  # ... a few px apart


def test_strip_moment_of_truth_band_covers_its_column() -> None:
    root = strip(journey(stage("a", 1), stage("b", 0, moment=True), stage("c", 0), stage("d", 0)))
    (band,) = root.findall("svg:rect[@class='moment-of-truth']", NS)
    assert (band.get("x"), band.get("width")) == ("25%", "25%")


def test_strip_links_points_to_evidence_and_escapes_content() -> None:
    ref = EvidenceRef("p07", "hl-1")
    j = journey(
        stage("a", -1, title='<b>"x"</b>', evidence=(ref,)), stage("b", 1), title="</svg><script>"
    )
    raw = str(emotion_strip_svg(j, NAMES, href_for))
    assert "<script>" not in raw and "<b>" not in raw
    root = ET.fromstring(raw)
    (link,) = root.findall(".//svg:a", NS)
    assert link.get("href") == "../../stories/p07/#hl-1"
    assert "\n" not in raw


def test_legend_entries_and_swatches_follow_the_lines() -> None:
    j = journey(stage("a", {"maya": 1, "raj": -1}))
    assert legend_entries(j, NAMES) == [("Maya", 0), ("Raj", 1)]
    assert legend_entries(journey(stage("a", 1)), NAMES) == [("All personas", 0)]
    raj = ET.fromstring(swatch_svg(1))
    assert raj.get("aria-hidden") == "true"
    line = raj.find("line")  # inline in HTML: no namespace
    assert line is not None and line.get("stroke-dasharray") == "8 4"
