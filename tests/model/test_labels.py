"""Labels (methodology, node, component names; band labels) hold no control character
or lone surrogate: they are printed to terminals and written to CSV and Excel."""

from __future__ import annotations

import pytest

import parindex
from parindex.errors import MethodologyError
from parindex.io.methodology import methodology_from_dict


def _doc() -> dict[str, object]:
    return parindex.methodology_to_dict(parindex.get_methodology("illustrative-district"))


@pytest.mark.parametrize("bad", ["X\x1b[2J", "X\ud800", "X\x00", "X\x85"])
@pytest.mark.parametrize("where", ["name_vi", "node", "band"])
def test_a_label_with_a_control_character_is_refused(where: str, bad: str) -> None:
    doc = _doc()
    if where == "name_vi":
        doc["name_vi"] = bad
    elif where == "node":
        doc["tree"][0]["name_vi"] = bad  # type: ignore[index]
    else:
        year = next(iter(doc["bands"]))  # type: ignore[call-overload]
        doc["bands"][year][0]["label"] = bad  # type: ignore[index]
    with pytest.raises(MethodologyError, match=r"U\+"):
        methodology_from_dict(doc)


def test_vietnamese_labels_line_breaks_and_tabs_are_fine() -> None:
    doc = _doc()
    doc["name_vi"] = "Bộ chỉ số\tminh họa\nđa dòng"
    assert methodology_from_dict(doc).name_vi == "Bộ chỉ số\tminh họa\nđa dòng"
