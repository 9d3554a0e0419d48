"""Deprecated names, kept for one minor release (0.2.x) and listed in CHANGELOG.md.

Names that left the top-level namespace still resolve through ``parindex.<name>``,
with a :class:`DeprecationWarning` that says where they live now; renamed readers
(``ScoreSheet.read`` -> :func:`parindex.load_sheet`, ...) warn and forward.
"""

from __future__ import annotations

import functools
import importlib
import warnings
from collections.abc import Callable
from typing import Any

__all__ = ["MOVED", "RENAMED", "moved"]

# Old top-level name -> the module that holds it now (same name).
MOVED: dict[str, str] = {
    **dict.fromkeys(
        (
            "AmbiguousInputError",
            "ConflictError",
            "DuplicateEntryError",
            "InputFormatError",
            "MethodologyError",
            "MissingDataError",
            "NotApplicableError",
            "OverlapError",
            "PointsOutOfRangeError",
            "QuestionnaireError",
            "ScoreSheetError",
            "ScoreSheetErrors",
            "SurveyResponseError",
            "UnknownMethodologyError",
            "UnknownNodeError",
            "UnknownUnitError",
        ),
        "parindex.errors",
    ),
    "COMPONENT_IDS": "parindex.io.components",
    **dict.fromkeys(
        ("AdministrativeUnit", "Decision", "ScoreComponent", "Source"), "parindex.model.parts"
    ),
    "RankingPolicy": "parindex.model.bands",
    "SHEET_COLUMNS": "parindex.model.sheet",
    **dict.fromkeys(("TOTAL", "NodeScore", "UnitResult"), "parindex.engine.scores"),
    "wide_to_tidy": "parindex.engine.batch",
    **dict.fromkeys(("assign_band", "rank_values"), "parindex.analysis.ranking"),
    "UnitNames": "parindex.analysis.names",
    **dict.fromkeys(("Gap", "PlanStep"), "parindex.analysis.gap"),
    "WhatIf": "parindex.analysis.what_if",
    **dict.fromkeys(("Simulation",), "parindex.analysis.simulate"),
    **dict.fromkeys(("UncertainInput", "Uncertainty"), "parindex.model.uncertainty"),
    **dict.fromkeys(
        ("AnswerScale", "Questionnaire", "RespondentGroup", "SurveyItem"),
        "parindex.model.questionnaire",
    ),
    **dict.fromkeys(
        ("ConversionPolicy", "SurveyStats", "get_policy", "list_policies", "register_policy"),
        "parindex.rules.conversion",
    ),
    **dict.fromkeys(
        (
            "RESPONSE_COLUMNS",
            "get_questionnaire",
            "list_questionnaires",
            "questionnaire_from_dict",
        ),
        "parindex.io.survey",
    ),
    "SurveyResult": "parindex.analysis.survey",
    **dict.fromkeys(("sipas_index", "sipas_percent", "sipas_points"), "parindex.analysis.sipas"),
    **dict.fromkeys(
        ("Disagreement", "compare_with_skeleton", "parse_rule", "load_methodology_table"),
        "parindex.authoring.complete",
    ),
    **dict.fromkeys(("MethodologyChange", "MethodologyDiff"), "parindex.authoring.diff"),
    **dict.fromkeys(("Finding", "check_methodology_file"), "parindex.authoring.validate"),
    **dict.fromkeys(
        (
            "MinistryRoster",
            "assessed_ministries",
            "province_predecessors",
            "province_successor",
            "provinces",
        ),
        "parindex.io.units",
    ),
    **dict.fromkeys(("Registry", "default_registry"), "parindex.io.catalogue"),
    "dump_methodology": "parindex.io.methodology",
    **dict.fromkeys(
        ("plot_profile", "plot_rank_movement", "plot_ranking"), "parindex.present.plot"
    ),
}

# Old name -> (module, new name): renamed to the one naming scheme (``load_*`` reads a
# file, ``*_from_dict`` / ``*_to_dict`` convert plain data).
RENAMED: dict[str, tuple[str, str]] = {
    "read_excel_sheet": ("parindex.io.excel", "load_excel_sheet"),
    "read_responses": ("parindex.io.survey", "load_responses"),
    "read_methodology_table": ("parindex.authoring.complete", "load_methodology_table"),
}


def moved(name: str) -> Any:
    """The object behind a deprecated top-level name, with a warning; else AttributeError."""
    if name in MOVED:
        module = MOVED[name]
        new = f"{module}.{name}"
    elif name in RENAMED:
        module, attr = RENAMED[name]
        new = f"{module}.{attr}"
        name = attr
    else:
        raise AttributeError(f"module 'parindex' has no attribute {name!r}")
    warnings.warn(
        f"parindex.{name} is deprecated and will be removed in 0.3; use {new}",
        DeprecationWarning,
        stacklevel=3,
    )
    value = getattr(importlib.import_module(module), name)
    if name == "wide_to_tidy":  # it took a methodology key at the top level: keep that
        return _wide_to_tidy_resolving(value)
    return value


def _wide_to_tidy_resolving(func: Callable[..., Any]) -> Callable[..., Any]:
    from parindex.io.catalogue import get_methodology

    @functools.wraps(func)
    def wide_to_tidy(frame: Any, methodology: Any, **kwargs: Any) -> Any:
        if isinstance(methodology, str):
            methodology = get_methodology(methodology)
        return func(frame, methodology, **kwargs)

    return wide_to_tidy


def _forward(old: str, new: str, func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def forward(*args: Any, **kwargs: Any) -> Any:
        warnings.warn(
            f"{old} is deprecated and will be removed in 0.3; use {new}",
            DeprecationWarning,
            stacklevel=2,
        )
        return func(*args, **kwargs)

    return forward


def _install() -> None:
    """Deprecated reader methods on the model classes, forwarding to ``parindex.io``:
    the model itself never reads a file (its layer is below ``io``)."""
    from parindex.io.sheet import load_sheet, sheet_from_csv, sheet_from_json
    from parindex.model.sheet import ScoreSheet

    for old, new, func in (
        ("read", "parindex.load_sheet", load_sheet),
        ("from_csv_text", "parindex.sheet_from_csv", sheet_from_csv),
        ("from_json_text", "parindex.sheet_from_json", sheet_from_json),
    ):
        forward = _forward(f"ScoreSheet.{old}", new, func)
        setattr(ScoreSheet, old, staticmethod(forward))

    from parindex.io.uncertainty import load_uncertainty, uncertainty_from_dict
    from parindex.model.uncertainty import Uncertainty

    readers: tuple[tuple[str, str, Callable[..., Any]], ...] = (
        ("read", "parindex.load_uncertainty", load_uncertainty),
        ("from_dict", "parindex.io.uncertainty.uncertainty_from_dict", uncertainty_from_dict),
    )
    for old, new, reader in readers:
        setattr(Uncertainty, old, staticmethod(_forward(f"Uncertainty.{old}", new, reader)))


_install()
