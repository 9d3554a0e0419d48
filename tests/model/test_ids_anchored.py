"""Ids and numbers are matched whole: Python's ``$`` also matches before a final
newline, so ``"1\\n"`` once passed as a node id."""

from __future__ import annotations

import pytest

from parindex._numbers import NUMBER_PATTERN
from parindex.errors import MethodologyError
from parindex.model.parts import ScoreComponent
from parindex.model.tree import Node


@pytest.mark.parametrize("node_id", ["1\n", "3.2\n", "\n1", "1\r\n"])
def test_a_node_id_with_a_line_break_is_refused(node_id: str) -> None:
    with pytest.raises(MethodologyError, match="not well formed"):
        Node(id=node_id, name_vi="x")


def test_a_component_id_with_a_line_break_is_refused() -> None:
    with pytest.raises(MethodologyError, match="not well formed"):
        ScoreComponent(id="sipas\n", max_points=10, method="survey")


@pytest.mark.parametrize("text", ["١٢", "1\n", "１２", "12 "])
def test_numbers_are_ascii_decimals_matched_whole(text: str) -> None:
    assert NUMBER_PATTERN.fullmatch(text) is None


@pytest.mark.parametrize("text", ["12", "-1.5", "+.5", "1e3", "87.825"])
def test_plain_decimals_are_numbers(text: str) -> None:
    assert NUMBER_PATTERN.fullmatch(text)
