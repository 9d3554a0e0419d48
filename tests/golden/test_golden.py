"""Golden tables: published PAR INDEX figures reproduced by the library.

The tables live in tests/golden/ with the URL of every row (see tests/golden/README.md).
Totals are compared within 0.01 where the published parts were rounded separately;
ranks exactly, where rank numbers are comparable at all.
"""

from __future__ import annotations

import math
from pathlib import Path

import attrs
import pandas as pd
import pytest

import parindex

GOLDEN = Path(__file__).resolve().parent
ROOT_EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "daklak-2017.csv"


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(GOLDEN / name, dtype={"node": str}, keep_default_na=True)


def test_every_golden_row_cites_a_source() -> None:
    for path in sorted(GOLDEN.glob("*.csv")):
        frame = pd.read_csv(path)
        assert "source" in frame.columns, path.name
        assert frame["source"].str.startswith("http").all(), path.name


# --------------------------------------------------------------------------- ranks


def _groups() -> list[tuple[tuple[int, str, str], pd.DataFrame]]:
    frame = _read("published-ranks.csv")
    frame["parent"] = frame["parent"].fillna("")
    return [
        ((int(y), str(lvl), str(p)), g.reset_index(drop=True))
        for (y, lvl, p), g in frame.groupby(["year", "level", "parent"], sort=True)
    ]


def test_published_ranks_cover_the_collected_tables() -> None:
    # 112 published rows with both an index and a rank, in 30 groups (year, level, and
    # province for sub-provincial units).
    groups = _groups()
    assert sum(len(g) for _, g in groups) == 112
    assert len(groups) == 30


@pytest.mark.parametrize(
    ("key", "table"), _groups(), ids=lambda v: str(v) if isinstance(v, tuple) else ""
)
def test_ranking_published_indices_reproduces_published_order(
    key: tuple[int, str, str], table: pd.DataFrame
) -> None:
    values = pd.Series(table["index_pct"].to_numpy(), index=table["unit"])
    ours = parindex.analysis.ranking.rank_values(values)
    # Order: within every partial table, a higher index never has a worse published rank.
    by_ours = table.assign(ours=ours.to_numpy()).sort_values("ours")
    assert by_ours["rank"].is_monotonic_increasing, key
    assert by_ours["rank"].is_unique, key
    # Ranks: comparable only on the leading run 1..k (a contiguous top-k of the table).
    ranks = sorted(table["rank"])
    k = 0
    while k < len(ranks) and ranks[k] == k + 1:
        k += 1
    top = table[table["rank"] <= k]
    assert ours[top["unit"]].tolist() == top["rank"].tolist(), key


def test_hai_phong_2023_conflicting_values_do_not_change_the_top_five() -> None:
    # 2023 provinces, https://dantoctongiao.vietnamnet.vn/bo-tu-phap-va-tinh-quang-ninh-dung-dau-ve-chi-so-cai-cach-hanh-chinh-2271541.html
    # Hải Phòng 91.87 (MOHA) vs 91.81 (doanhnghiephoinhap: "+1.72" over 90.09 in 2022).
    frame = _read("published-ranks.csv")
    top = frame[(frame["year"] == 2023) & (frame["level"] == "province") & (frame["rank"] <= 5)]
    values = dict(zip(top["unit"], top["index_pct"], strict=True))
    assert values["Hải Phòng"] == 91.87
    for hai_phong in (91.87, 91.81):
        ranks = parindex.analysis.ranking.rank_values(values | {"Hải Phòng": hai_phong})
        assert ranks.tolist() == top["rank"].tolist()
    # Each value agrees with one published statement and not the other.
    assert parindex.round_half_up(96.17 - 91.87) == 4.30  # 2024: 96.17, "+4.30"
    assert parindex.round_half_up(90.09 + 1.72) == 91.81  # 2022: 90.09, "+1.72"


def test_customs_2019_ranks_are_dense() -> None:
    # Not PAR INDEX: the customs sector's 2019 index (max 90), 19 of 35 units published.
    table = _read("customs-2019.csv")
    points = pd.Series(table["total_points"].to_numpy(), index=table["unit"])
    dense = parindex.analysis.ranking.rank_values(points, ties="dense")
    assert dense.tolist() == table["rank"].tolist()  # 19 of 19
    standard = parindex.analysis.ranking.rank_values(points)  # "min": 1, 1, 1, 4, ...
    assert int((standard == table["rank"].to_numpy()).sum()) == 3


# --------------------------------------------------------------------------- bands


def _thresholds() -> dict[tuple[int, str], list[parindex.Band]]:
    frame = pd.read_csv(GOLDEN / "band-thresholds.csv")
    out: dict[tuple[int, str], list[parindex.Band]] = {}
    for row in frame.itertuples(index=False):
        out.setdefault((int(row.year), str(row.level)), []).append(
            parindex.Band(
                str(row.label),
                lower=None if pd.isna(row.lower) else float(row.lower),
                upper=None if pd.isna(row.upper) else float(row.upper),
                lower_inclusive=bool(row.lower_inclusive),
                upper_inclusive=bool(row.upper_inclusive),
            )
        )
    return out


def test_published_band_labels_follow_the_thresholds() -> None:
    bands = _thresholds()
    table = _read("bands.csv")
    assert len(table) == 16
    for row in table.itertuples(index=False):
        label = parindex.analysis.ranking.assign_band(
            row.index_pct, bands[(int(row.year), str(row.level))]
        )
        assert label == row.band, (row.year, row.unit)


def test_band_2022_provinces_group_a_has_two_members_of_the_top_three() -> None:
    # https://vietnambiz.vn/quang-ninh-dung-dau-ca-4-chi-so-ve-cai-cach-hanh-chinh-202341916234832.htm
    # A >= 90 held 2 provinces in 2022; the top three were 90.10, 90.09, 89.58.
    bands = _thresholds()[(2022, "province")]
    labels = [parindex.analysis.ranking.assign_band(v, bands) for v in (90.10, 90.09, 89.58)]
    assert labels == ["A", "A", "B"]


def _sources_by_year_level() -> dict[tuple[int, str], set[str]]:
    frame = pd.read_csv(GOLDEN / "band-thresholds.csv")
    out: dict[tuple[int, str], set[str]] = {}
    for row in frame.itertuples(index=False):
        out.setdefault((int(row.year), str(row.level)), set()).add(str(row.source))
    return out


@pytest.mark.parametrize(("year", "level"), sorted(_sources_by_year_level()))
def test_shipped_methodology_carries_the_published_thresholds(year: int, level: str) -> None:
    # Band thresholds are methodology data: the shipped file for the year has exactly
    # the published ones, citing the page they were published on.
    m = parindex.get_methodology(f"{level}-{year}")
    shipped = m.bands_for(year)
    assert [attrs.evolve(b, source=None) for b in shipped] == _thresholds()[(year, level)]
    cited = {m.sources[b.source].url for b in shipped if b.source is not None}
    assert len(cited) == 1
    assert cited == _sources_by_year_level()[(year, level)]


def test_shipped_methodologies_band_the_published_rows() -> None:
    table = _read("bands.csv")
    for row in table.itertuples(index=False):
        year, level = int(row.year), str(row.level)
        m = parindex.get_methodology(f"{level}-{year}")
        label = parindex.analysis.ranking.assign_band(row.index_pct, m.bands_for(year))
        assert label == row.band, (row.year, row.unit, m.id)


def test_shipped_bands_cover_the_years_named() -> None:
    # Years whose published groups are known: each of these methodologies bands them.
    for key, year in [
        ("province-2012", 2012),
        ("province-2016", 2016),
        ("province-2020", 2021),
        ("ministry-2020", 2020),
        ("ministry-2020", 2021),
        ("ministry-2022", 2022),
        ("ministry-2022", 2023),
    ]:
        assert parindex.get_methodology(key).bands_for(year), (key, year)
    # 2023 ministries: 14 above 80 %, 3 below (the bound's side is not stated).
    bands_2023 = parindex.get_methodology("ministry-2022").bands_for(2023)
    labels = [parindex.analysis.ranking.assign_band(v, bands_2023) for v in (80.0, 79.99)]
    assert labels == [">80%", "<80%"]
    # 2020 provincial thresholds are not published, so none are shipped.
    assert parindex.get_methodology("province-2020").bands_for(2020) == ()


# --------------------------------------------------------------------------- totals


def test_binhduong_2017_totals_and_ranks() -> None:
    table = _read("binhduong-district-2017.csv")
    records = [
        {"unit": r.unit, "node": node, "points": getattr(r, f"{node}_points")}
        for r in table.itertuples(index=False)
        for node in ("appraisal", "survey")
    ]
    scores = parindex.score("binhduong-district-2017", parindex.ScoreSheet.from_records(records))
    ranking = parindex.rank(scores).to_frame().set_index("unit")
    for row in table.itertuples(index=False):
        assert math.isclose(
            ranking.loc[row.unit, "par_index"], row.total_points, abs_tol=0.01 + 1e-9
        )
        assert parindex.round_half_up(ranking.loc[row.unit, "par_index"]) == row.total_points
        assert ranking.loc[row.unit, "rank"] == row.rank
    # The province also published the mean of the nine district indices: 78.39 %.
    assert parindex.round_half_up(ranking["par_index"].mean()) == 78.39


def test_daklak_2017_fields_reproduce_the_published_index() -> None:
    # Published index 75.37: http://truyenhinhdaknong.vn/tin-tuc/dak-lak-chi-so-cai-cach-hanh-chinh-dung-dau-khu-vuc-tay-nguyen-2540.html
    table = _read("daklak-2017-fields.csv")
    m = parindex.get_methodology("province-2017")
    assert table["max_points"].tolist() == [n.max_points for n in m.tree]
    # Field 3's loss is printed garbled; the seven legible losses already account for
    # 100 - 75.37, so field 3 lost nothing (implied, and checked here).
    legible = table["points_lost"].dropna()
    assert len(legible) == 7
    assert parindex.round_half_up(math.fsum(legible)) == parindex.round_half_up(100 - 75.37)
    lost = table["points_lost"].fillna(0.0)
    records = [
        {"unit": "Đắk Lắk", "node": node, "points": mx - loss}
        for node, mx, loss in zip(table["node"], table["max_points"], lost, strict=True)
    ]
    result = parindex.score(m, parindex.ScoreSheet.from_records(records)).unit("Đắk Lắk")
    assert parindex.round_half_up(result.total.index) == 75.37
    from_file = parindex.score(m, parindex.load_sheet(ROOT_EXAMPLE)).unit("Đắk Lắk")
    assert from_file.total.points == result.total.points


def test_daklak_2023_blocks_add_up_to_the_published_index() -> None:
    # Published index 87.33 (rank 28): http://khdt.daklak.gov.vn/dak-lak-tang-10-bac-xep-hang-chi-so-cai-cach-hanh-chinh-nam-2023-1533.html
    table = _read("daklak-2023-blocks.csv")
    assert math.fsum(table["max_points"]) == 100.0  # 61.5 + 6.5 + 22 + 10
    fixture = parindex.methodology_from_dict(
        {
            "format": "parindex-methodology/1",
            "id": "blocks-2023-fixture",
            "name_vi": "Bốn khối điểm 2023 (dữ liệu kiểm thử)",
            "name_en": "2023 provincial blocks (test fixture)",
            "level": "province",
            "decision": {"number": None},
            "evaluation_years": [2023],
            "official": False,
            "total_max": 100,
            "components": [
                {"id": c, "max_points": mx}
                for c, mx in zip(table["component"], table["max_points"], strict=True)
            ],
            "tree": [],
        }
    )
    records = [
        {"unit": "Đắk Lắk", "node": c, "points": p}
        for c, p in zip(table["component"], table["points"], strict=True)
    ]
    result = parindex.score(fixture, parindex.ScoreSheet.from_records(records)).unit("Đắk Lắk")
    assert math.isclose(result.total.index, 87.33, abs_tol=0.01)
    assert parindex.round_half_up(result.total.index) == 87.33
    assert parindex.round_half_up(result.components["leader_survey"].index) == 83.14
