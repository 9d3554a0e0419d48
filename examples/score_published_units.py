"""Score and rank real published units, and compare with the published figures.

Run from the repository root:

    python examples/score_published_units.py

Every published figure below is copied from the page cited next to it. The script scores
the published parts (field points, or appraisal and survey points) with the shipped
methodologies, ranks the units, and prints what it computed beside what was published.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import parindex

EXAMPLES = Path(__file__).resolve().parent

# (methodology, score sheet, unit, published index, published rank or None, source)
PUBLISHED = [
    (
        "province-2017",
        "daklak-2017.csv",
        "Đắk Lắk",
        75.37,
        None,
        "http://truyenhinhdaknong.vn/tin-tuc/dak-lak-chi-so-cai-cach-hanh-chinh-dung-dau-khu-vuc-tay-nguyen-2540.html",
    ),
]
BINH_DUONG_SOURCE = "http://baubang.binhduong.gov.vn/Default.aspx?tabid=175&ID=1881"
BINH_DUONG_2017 = {  # unit: (published total, published rank)
    "Thành phố Thủ Dầu Một": (84.58, 1),
    "Thị xã Tân Uyên": (82.00, 2),
    "Huyện Bàu Bàng": (80.27, 3),
    "Thị xã Thuận An": (79.04, 4),
    "Thị xã Dĩ An": (78.06, 5),
    "Thị xã Bến Cát": (77.83, 6),
    "Huyện Dầu Tiếng": (76.22, 7),
    "Huyện Phú Giáo": (76.03, 8),
    "Huyện Bắc Tân Uyên": (71.46, 9),
}
# 2023 ministry table: appraisal 61.86 + survey 28.10, published total 89.95 (rank 1).
MOJ_2023_SOURCE = "https://xaydungchinhsach.chinhphu.vn/chi-tiet-bang-xep-hang-par-index-2023-cua-cac-bo-co-quan-ngang-bo-119240417175319406.htm"


def rows() -> list[dict[str, object]]:
    """One row per unit: computed and published index and rank."""
    out: list[dict[str, object]] = []
    for key, sheet_file, unit, published, published_rank, source in PUBLISHED:
        scores = parindex.score(key, parindex.load_sheet(EXAMPLES / sheet_file))
        ranking = parindex.rank(scores)
        out.append(
            _row(
                key,
                unit,
                scores.unit(unit).total.index,
                published,
                ranking.rank_of(unit),
                published_rank,
                source,
            )
        )

    scores = parindex.score(
        "binhduong-district-2017",
        parindex.load_sheet(EXAMPLES / "binhduong-district-2017.csv"),
    )
    ranking = parindex.rank(scores)
    for unit, (published, published_rank) in BINH_DUONG_2017.items():
        out.append(
            _row(
                "binhduong-district-2017",
                unit,
                scores.unit(unit).total.index,
                published,
                ranking.rank_of(unit),
                published_rank,
                BINH_DUONG_SOURCE,
            )
        )

    moj = parindex.ScoreSheet.from_records(
        [
            {"unit": "Bộ Tư pháp", "node": "appraisal", "points": 61.86},
            {"unit": "Bộ Tư pháp", "node": "survey", "points": 28.10},
        ]
    )
    scores = parindex.score("ministry-2022", moj)
    ranking = parindex.rank(scores, year=2023)
    out.append(
        _row(
            "ministry-2022",
            "Bộ Tư pháp",
            scores.unit("Bộ Tư pháp").total.index,
            89.95,
            ranking.rank_of("Bộ Tư pháp"),
            1,
            MOJ_2023_SOURCE,
        )
    )
    return out


def _row(
    key: str,
    unit: str,
    index: float | None,
    published: float,
    rank: int | None,
    published_rank: int | None,
    source: str,
) -> dict[str, object]:
    shown = None if index is None else parindex.round_half_up(index)
    return {
        "methodology": key,
        "unit": unit,
        "index": shown,
        "published": published,
        "difference": None if shown is None else parindex.round_half_up(shown - published),
        "rank": rank,
        "published rank": published_rank,
        "source": source,
    }


def main() -> None:
    table = pd.DataFrame(rows())
    for column in ("rank", "published rank"):
        table[column] = table[column].astype("Int64")
    with pd.option_context("display.width", 200, "display.max_colwidth", 40):
        print(table.drop(columns="source").to_string(index=False))
    print()
    print("Bộ Tư pháp 2023: the published parts 61.86 + 28.10 add up to 89.96; the published")
    print("total 89.95 was computed from unrounded parts (every column is rounded separately).")
    print("Ranks are within the units scored here; Bộ Tư pháp is ranked alone.")


if __name__ == "__main__":
    main()
