"""Result tables follow pandas conventions (#18 item 11): the index column is
``par_index`` (``index`` clashed with ``DataFrame.index``; the old name is read for one
release with a DeprecationWarning), and missing labels are ``<NA>``, not ``None``."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import parindex


@pytest.fixture(scope="module")
def districts() -> parindex.Ranking:
    sheet = parindex.load_sheet("examples/illustrative-districts.csv")
    return parindex.rank(parindex.score("illustrative-district", sheet))


def test_the_index_column_does_not_clash_with_the_row_labels(districts: parindex.Ranking) -> None:
    for table in (districts.to_frame(), districts.scores.totals(), districts.scores.to_frame()):
        assert "par_index" in table.columns
        assert "index" not in table.columns
        assert isinstance(table.index, pd.RangeIndex)  # DataFrame.index is still the rows
    assert districts.to_frame().par_index.iloc[0] == max(r.index for r in districts.rows())


def test_the_old_name_still_reads_the_column_with_a_deprecation_warning(
    districts: parindex.Ranking,
) -> None:
    table = districts.to_frame()
    with pytest.warns(DeprecationWarning, match="'par_index'"):
        column = table["index"]
    assert column.name == "index"
    assert column.tolist() == table["par_index"].tolist()
    with pytest.warns(DeprecationWarning, match="'par_index'"):
        picked = table[["unit", "index"]]
    assert list(picked.columns) == ["unit", "index"]
    # Slices of a result table keep the alias.
    with pytest.warns(DeprecationWarning, match="'par_index'"):
        assert table.head(2)["index"].tolist() == table["par_index"].head(2).tolist()


def test_the_new_name_gives_no_warning(districts: parindex.Ranking) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        districts.to_frame()[["unit", "par_index"]]
        districts.scores.totals()["par_index"]


def test_rank_change_names_its_index_column_the_same_way(districts: parindex.Ranking) -> None:
    moved = parindex.rank_change(districts, districts)
    assert list(moved.columns) == [
        "unit", "rank", "par_index", "previous_rank", "previous_index", "change", "index_change",
    ]  # fmt: skip


def test_missing_groups_and_bands_are_na_not_none() -> None:
    sheet = parindex.load_sheet("examples/daklak-2017.csv")
    table = parindex.rank(parindex.score("province-2017", sheet)).to_frame()  # no year: no band
    for column in ("group", "band"):
        assert str(table[column].dtype) == "string"
        assert table[column].isna().all()
        assert None not in table[column].tolist()


def test_present_labels_are_strings_in_a_string_column(districts: parindex.Ranking) -> None:
    bands = districts.to_frame()["band"]
    assert str(bands.dtype) == "string"
    assert bands.notna().all()
    assert bands.tolist() == [r.band for r in districts.rows()]


@pytest.mark.parametrize("storage", ["python", "pyarrow"])
def test_an_all_missing_label_column_is_built_as_label_column_builds_it(storage: str) -> None:
    # none_column skips the values but must give the very column label_column gives,
    # under the string storage in force when it is called.
    from parindex.engine.scores import none_column
    from parindex.engine.tables import label_column

    pytest.importorskip("pyarrow")
    with pd.option_context("mode.string_storage", storage):
        fast, slow = none_column(3), label_column([None, None, None])
        assert type(fast) is type(slow)
        assert fast.dtype == slow.dtype
        assert pd.Series(fast).equals(pd.Series(slow))
        if storage == "pyarrow":
            assert fast.__arrow_array__().type == slow.__arrow_array__().type
