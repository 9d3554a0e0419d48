"""Notebook display (HTML, short reprs, frames) and plots (rendered to PNG)."""

from __future__ import annotations

import html.parser
from pathlib import Path

import matplotlib
import pytest

import parindex

matplotlib.use("Agg")

_VOID = {"br", "img", "hr", "meta", "input"}


class _Balance(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.counts: dict[str, int] = {}

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.counts[tag] = self.counts.get(tag, 0) + 1
        if tag not in _VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack, f"</{tag}> closes nothing"
        assert self.stack.pop() == tag, f"</{tag}> closes the wrong tag"


def _parse(text: str) -> _Balance:
    p = _Balance()
    p.feed(text)
    p.close()
    assert p.stack == [], p.stack
    return p


def _scores(records: list[tuple[str, float, float]], group: str | None = None) -> parindex.Scores:
    sheet = parindex.ScoreSheet.from_records(
        [
            {"unit": u, "node": c, "points": p} | ({"group": group} if group else {})
            for u, a, s in records
            for c, p in (("appraisal", a), ("survey", s))
        ]
    )
    return parindex.score("illustrative-district", sheet)


FOUR = [("A", 70, 18), ("B", 60, 15), ("C", 50, 10), ("D", 75, 19)]


@pytest.mark.parametrize("mid", [m.id for m in parindex.list_methodologies()])
def test_methodology_html_is_a_balanced_collapsible_tree(mid: str) -> None:
    m = parindex.get_methodology(mid)
    text = m._repr_html_()
    tags = _parse(text).counts
    inner = [n for n in m.nodes() if n.children]
    assert tags.get("details", 0) == len(inner)
    for n in m.nodes():
        assert f"<code>{n.id}</code>" in text
    unknown = sum(1 for n in m.nodes() if m.max_points_of(n.id) is None)
    unknown += sum(1 for c in m.components if c.max_points is None)
    assert text.count('class="unknown">max unknown') == unknown


def test_html_escapes_names_and_speaks_two_languages() -> None:
    doc = parindex.methodology_to_dict(parindex.get_methodology("province-2017"))
    doc["tree"][0]["name_en"] = "<script>alert(1)</script> & co"
    m = parindex.methodology_from_dict(doc)
    en = parindex.to_html(m, language="en")
    assert "<script>" not in en
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in en
    vi = parindex.to_html(m, language="vi")
    assert "Quyết định" in vi
    assert "Decision" in en
    assert "Cải cách thủ tục hành chính" in vi
    with pytest.raises(ValueError, match="language"):
        parindex.to_html(m, language="fr")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        parindex.to_html("not a methodology")  # type: ignore[arg-type]


def test_scores_html_has_a_bar_per_component_and_marks_na_and_unknown() -> None:
    scores = _scores(FOUR)
    text = scores._repr_html_()
    _parse(text)
    assert text.count('<span class="bar">') == 4 * 2 + 4 * 0  # components scored, fields unknown
    assert 'style="width:87.5%"' in text  # A: appraisal 70 of 80
    assert "NOT OFFICIAL" in text
    sheet = parindex.ScoreSheet.from_records(
        [
            {"unit": "X", "node": "1", "points": 5.5},
            {"unit": "X", "node": "2", "status": "na"},
        ]
    )
    text = parindex.to_html(
        parindex.score("province-2017", sheet, missing="unknown", units="free"), language="vi"
    )
    assert "không phát sinh" in text
    assert "chưa rõ" in text


def test_ranking_html_lists_units_best_first_with_bands() -> None:
    ranking = parindex.rank(_scores(FOUR))
    text = ranking._repr_html_()
    _parse(text)
    rows = text.split("<tbody>")[1]
    assert [rows.index(u) for u in ("'l'>D<", "'l'>A<", "'l'>B<", "'l'>C<")] == sorted(
        rows.index(u) for u in ("'l'>D<", "'l'>A<", "'l'>B<", "'l'>C<")
    )
    assert "Xuất sắc" in text


def test_reprs_are_short_and_deterministic() -> None:
    m = parindex.get_methodology("illustrative-district")
    scores = _scores(FOUR)
    ranking = parindex.rank(scores)
    assert repr(m).startswith("<Methodology illustrative-district (decision unknown): ")
    assert repr(m).endswith(" nodes, not official>")
    for obj in (m, scores, ranking):
        assert len(repr(obj)) < 120
        assert repr(obj) == repr(obj)
    assert repr(scores) == "<Scores illustrative-district: 4 units>"
    assert repr(ranking) == "<Ranking illustrative-district: 4 units, ties min, 2024>"
    assert repr(parindex.get_methodology("province-2017")) == (
        "<Methodology province-2017 (2948/QĐ-BNV): 8 fields, 8 nodes>"
    )


def test_methodology_to_frame_is_one_row_per_node() -> None:
    m = parindex.get_methodology("ministry-2022")
    frame = m.to_frame()
    assert frame["node"].tolist() == [n.id for n in m.nodes()]
    unknown = [n.id for n in m.nodes() if m.max_points_of(n.id) is None]
    assert frame.loc[frame["max_points"].isna(), "node"].tolist() == unknown
    d = parindex.get_methodology("illustrative-district").to_frame()
    assert d.loc[d["node"] == "1.1.2", ["parent", "depth"]].to_dict("records") == [
        {"parent": "1.1", "depth": 2}
    ]


# --------------------------------------------------------------------------- plots


def _is_png(path: Path) -> bool:
    data = path.read_bytes()
    return len(data) > 1000 and data[:8] == b"\x89PNG\r\n\x1a\n"


def test_profile_plot_renders_to_png(tmp_path: Path) -> None:
    scores = _scores(FOUR, group="đồng bằng")
    fig = parindex.present.plot.plot_profile(scores, "A", language="vi")
    fig.savefig(tmp_path / "profile.png")
    assert _is_png(tmp_path / "profile.png")
    ax = fig.axes[0]
    assert [round(p.get_width(), 3) for p in ax.patches] == [87.5, 90.0]
    peer_mean = ax.lines[0].get_xdata().tolist()
    assert peer_mean == pytest.approx(
        [(60 / 80 + 50 / 80 + 75 / 80) / 3 * 100, (15 + 10 + 19) / 3 / 20 * 100]
    )
    fields = parindex.score("province-2017", parindex.load_sheet("examples/daklak-2017.csv"))
    fig = parindex.present.plot.plot_profile(fields, "Đắk Lắk", peers=[])
    fig.savefig(tmp_path / "fields.png")
    assert _is_png(tmp_path / "fields.png")
    assert len(fig.axes[0].patches) == 8
    with pytest.raises(parindex.errors.UnknownUnitError):
        parindex.present.plot.plot_profile(scores, "Z")


def test_ranking_plot_draws_band_boundaries(tmp_path: Path) -> None:
    fig = parindex.present.plot.plot_ranking(parindex.rank(_scores(FOUR)))
    fig.savefig(tmp_path / "ranking.png")
    assert _is_png(tmp_path / "ranking.png")
    ax = fig.axes[0]
    vertical = sorted({line.get_xdata()[0] for line in ax.lines})
    assert vertical == [50.0, 70.0, 80.0, 90.0]
    assert [round(p.get_width(), 6) for p in ax.patches] == [94.0, 88.0, 75.0, 60.0]


def test_rank_movement_plot(tmp_path: Path) -> None:
    before = parindex.rank(_scores([("A", 70, 18), ("B", 75, 19), ("C", 50, 10)]))
    after = parindex.rank(_scores(FOUR))
    fig = parindex.present.plot.plot_rank_movement({2024: after, 2023: before}, language="vi")
    fig.savefig(tmp_path / "movement.png")
    assert _is_png(tmp_path / "movement.png")
    lines = {line.get_label(): line.get_ydata().tolist() for line in fig.axes[0].lines}
    assert lines["A"] == [2.0, 2.0]
    assert lines["B"] == [1.0, 3.0]
    assert lines["D"][0] != lines["D"][0]  # not ranked in 2023: NaN, not a made-up rank
    with pytest.raises(ValueError, match="at least one"):
        parindex.present.plot.plot_rank_movement({})


def test_methodology_to_frame_wide_is_one_row_per_leaf_with_its_path() -> None:
    m = parindex.get_methodology("illustrative-district")
    wide = m.to_frame(wide=True)
    leaves = [n.id for n in m.nodes() if n.is_leaf]
    assert wide.columns[:3].tolist() == ["level_1", "level_2", "level_3"]
    row = wide.loc[wide["level_3"] == "1.1.2"].iloc[0]
    assert (row["level_1"], row["level_2"], row["max_points"]) == ("1", "1.1", 3.0)
    assert len(wide) == len(leaves)
    assert wide["max_points"].sum() == m.total_max  # a complete tree: leaves add up
