"""What a reader of a plot sees: Vietnamese labels by default, field names in full
(wrapped, never cut), legends clear of the bars, every Vietnamese letter drawn even
when the configured font lacks it, and unknown values said rather than drawn as 0."""

from __future__ import annotations

import io
import warnings
from typing import Any

import matplotlib
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

import parindex
from parindex.present.plot import plot_profile, plot_rank_movement, plot_ranking

matplotlib.use("Agg")


def _daklak() -> parindex.Scores:
    return parindex.score("province-2017", parindex.load_sheet("examples/daklak-2017.csv"))


def _districts() -> parindex.Scores:
    sheet = parindex.load_sheet("examples/illustrative-districts.csv")
    return parindex.score("illustrative-district", sheet)


def _tick_texts(ax: Any) -> list[str]:
    return [" ".join(t.get_text().split()) for t in ax.get_yticklabels()]


def _drawn(fig: Any) -> Any:
    """The renderer after drawing ``fig`` as ``savefig`` to PNG would."""
    canvas: Any = FigureCanvasAgg(fig)
    canvas.draw()
    return canvas.get_renderer()


def test_labels_are_vietnamese_by_default_and_english_on_request() -> None:
    scores = _daklak()
    vi = plot_profile(scores, "Đắk Lắk", peers=[])
    assert vi.axes[0].get_title() == "Chỉ số thành phần: Đắk Lắk"
    assert vi.axes[0].get_xlabel() == "Chỉ số (%)"
    en = plot_profile(scores, "Đắk Lắk", peers=[], language="en")
    assert en.axes[0].get_title() == "Component indices: Đắk Lắk"
    ranking = parindex.rank(_districts())
    assert plot_ranking(ranking).axes[0].get_title().startswith("Xếp hạng theo Chỉ số")
    assert plot_rank_movement({2024: ranking}).axes[0].get_xlabel() == "Năm"


@pytest.mark.parametrize("language", ["vi", "en"])
def test_field_names_are_given_in_full_wrapped_never_cut(language: str) -> None:
    fig = plot_profile(_daklak(), "Đắk Lắk", peers=[], language=language)  # type: ignore[arg-type]
    m = parindex.get_methodology("province-2017")
    names = [n.name_vi if language == "vi" else n.name_en for n in m.tree]
    assert _tick_texts(fig.axes[0]) == [
        f"{n.id}. {name}" for n, name in zip(m.tree, names, strict=True)
    ]
    raw = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert max(len(line) for label in raw for line in label.split("\n")) <= 36
    assert any("\n" in label for label in raw)  # the long names do wrap
    # Labels stay inside the figure: none is cut at its left edge.
    renderer = _drawn(fig)
    assert min(t.get_window_extent(renderer).x0 for t in fig.axes[0].get_yticklabels()) >= 0


def test_the_legend_is_outside_the_bars() -> None:
    scores = _districts()
    fig = plot_profile(scores, scores.units[0])
    renderer = _drawn(fig)
    assert fig.axes[0].get_legend() is None
    (legend,) = fig.legends
    assert not legend.get_window_extent(renderer).overlaps(fig.axes[0].get_window_extent(renderer))
    assert [t.get_text() for t in legend.get_texts()] == [
        "Thấp nhất - cao nhất của nhóm",
        "Trung bình nhóm (n=7)",
        scores.units[0],
    ]


def test_band_labels_stay_clear_of_the_title_and_the_bars() -> None:
    fig = plot_ranking(parindex.rank(_districts()))
    renderer = _drawn(fig)
    ax = fig.axes[0]
    top = next(child for child in ax.child_axes)  # the secondary axis holding the labels
    labels = [t for t in top.get_xticklabels() if t.get_text()]
    assert [t.get_text() for t in labels] == ["Trung bình", "Khá", "Tốt", "Xuất sắc"]
    title = ax.title.get_window_extent(renderer)
    frame = ax.get_window_extent(renderer)
    for t in labels:
        box = t.get_window_extent(renderer)
        assert not box.overlaps(title)
        assert box.y0 >= frame.y1  # above the axes, not on a bar


def test_vietnamese_letters_render_when_the_configured_font_lacks_them() -> None:
    # cmss10 (shipped with matplotlib) has no ắ, ư, ộ: without the DejaVu Sans
    # fallback matplotlib warns "Glyph ... missing" and draws boxes.
    style: Any = {"font.family": "cmss10", "axes.formatter.use_mathtext": True}
    with matplotlib.rc_context(style), warnings.catch_warnings():
        warnings.simplefilter("error")
        scores = _districts()
        ranking = parindex.rank(scores)
        for fig in (
            plot_profile(scores, scores.units[0]),
            plot_ranking(ranking),
            plot_rank_movement({2023: ranking, 2024: ranking}),
        ):
            fig.savefig(io.BytesIO(), format="png")


def test_an_unknown_or_not_applicable_index_is_said_not_drawn_as_zero() -> None:
    sheet = parindex.sheet_from_csv(
        "unit,node,points,status\nĐắk Lắk,1,5,\nĐắk Lắk,3,5,\nĐắk Lắk,2,,na\n"
    )
    scores = parindex.score("province-2022", sheet, missing="unknown", year=2023)
    ax = plot_profile(scores, "Đắk Lắk").axes[0]
    said = {round(t.get_position()[1]): t.get_text() for t in ax.texts}
    assert said[1] == "(không phát sinh)"  # field 2
    assert said[5] == "(chưa rõ)"  # field 6: maximum not published
    assert 0 not in said  # field 1 has its bar
    assert ax.get_ylim() == (7.5, -0.5)  # every field in view, the first at the top
    hp = parindex.score(
        "haiphong-ward-2025", parindex.load_sheet("examples/haiphong-ward-2025.csv")
    )
    ranking_ax = plot_ranking(parindex.rank(hp), language="en").axes[0]
    assert [t.get_text() for t in ranking_ax.texts] == ["(unknown)"] * 4
    assert _tick_texts(ranking_ax)[0].startswith("– Phường")
