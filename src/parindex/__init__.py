"""parindex: exact, versioned computation of Vietnam's administrative-reform index
(PAR INDEX, Chỉ số cải cách hành chính).

Data flows one way: methodology files -> validated model objects -> pure scoring ->
ranking and analysis -> presentation.

Example:
    >>> import parindex
    >>> sheet = parindex.ScoreSheet.read("examples/daklak-2017.csv")
    >>> result = parindex.score("province-2017", sheet)
    >>> parindex.round_half_up(result.unit("Đắk Lắk").total.index)
    75.37
"""

import typing as _typing

__version__ = "0.1.0"

from parindex._complete import (
    Disagreement,
    compare_with_skeleton,
    complete_methodology,
    parse_rule,
    read_methodology_table,
)
from parindex._diff import MethodologyChange, MethodologyDiff, diff_methodologies
from parindex._display import to_html
from parindex._excel import read_excel_sheet, write_excel_template
from parindex._io import (
    dump_methodology,
    load_methodology,
    methodology_from_dict,
    methodology_to_dict,
)
from parindex._model import (
    COMPONENT_IDS,
    AdministrativeUnit,
    Band,
    Decision,
    Methodology,
    Node,
    RankingPolicy,
    ScoreComponent,
    Source,
)
from parindex._names import UnitNames, match_unit
from parindex._numbers import round_half_up
from parindex._plot import plot_profile, plot_rank_movement, plot_ranking
from parindex._ranking import Ranking, assign_band, rank, rank_change, rank_values
from parindex._registry import Registry, default_registry, get_methodology, list_methodologies
from parindex._schema import json_schema
from parindex._scoring import TOTAL, NodeScore, Scores, UnitResult, score
from parindex._sheet import SHEET_COLUMNS, ScoreEntry, ScoreSheet
from parindex._survey import (
    RESPONSE_COLUMNS,
    AnswerScale,
    ConversionPolicy,
    Questionnaire,
    RespondentGroup,
    SurveyItem,
    SurveyResult,
    SurveyStats,
    aggregate_survey,
    get_policy,
    get_questionnaire,
    list_policies,
    list_questionnaires,
    load_questionnaire,
    questionnaire_from_dict,
    read_responses,
    register_policy,
    sipas_index,
    sipas_percent,
    sipas_points,
)
from parindex._units import (
    MinistryRoster,
    assessed_ministries,
    province_predecessors,
    province_successor,
    provinces,
)
from parindex._validate import Finding, check_methodology, check_methodology_file
from parindex.errors import (
    AmbiguousInputError,
    ConflictError,
    DuplicateEntryError,
    InputFormatError,
    MethodologyError,
    MissingDataError,
    NotApplicableError,
    OverlapError,
    ParIndexError,
    PointsOutOfRangeError,
    QuestionnaireError,
    ScoreSheetError,
    ScoreSheetErrors,
    SurveyResponseError,
    UnknownMethodologyError,
    UnknownNodeError,
    UnknownUnitError,
)

if _typing.TYPE_CHECKING:
    from parindex._batch import score_frame, wide_to_tidy
    from parindex._scenarios import Gap, PlanStep, WhatIf, gap, what_if
    from parindex._simulate import Simulation, UncertainInput, Uncertainty, simulate

# Analysis features load on first use, keeping ``import parindex`` fast.
_LAZY = {
    "score_frame": "parindex._batch",
    "wide_to_tidy": "parindex._batch",
    "Gap": "parindex._scenarios",
    "PlanStep": "parindex._scenarios",
    "WhatIf": "parindex._scenarios",
    "gap": "parindex._scenarios",
    "what_if": "parindex._scenarios",
    "Simulation": "parindex._simulate",
    "UncertainInput": "parindex._simulate",
    "Uncertainty": "parindex._simulate",
    "simulate": "parindex._simulate",
}


def __getattr__(name: str) -> _typing.Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'parindex' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "COMPONENT_IDS",
    "RESPONSE_COLUMNS",
    "SHEET_COLUMNS",
    "TOTAL",
    "AdministrativeUnit",
    "AmbiguousInputError",
    "AnswerScale",
    "Band",
    "ConflictError",
    "ConversionPolicy",
    "Decision",
    "Disagreement",
    "DuplicateEntryError",
    "Finding",
    "Gap",
    "InputFormatError",
    "Methodology",
    "MethodologyChange",
    "MethodologyDiff",
    "MethodologyError",
    "MinistryRoster",
    "MissingDataError",
    "Node",
    "NodeScore",
    "NotApplicableError",
    "OverlapError",
    "ParIndexError",
    "PlanStep",
    "PointsOutOfRangeError",
    "Questionnaire",
    "QuestionnaireError",
    "Ranking",
    "RankingPolicy",
    "Registry",
    "RespondentGroup",
    "ScoreComponent",
    "ScoreEntry",
    "ScoreSheet",
    "ScoreSheetError",
    "ScoreSheetErrors",
    "Scores",
    "Simulation",
    "Source",
    "SurveyItem",
    "SurveyResponseError",
    "SurveyResult",
    "SurveyStats",
    "UncertainInput",
    "Uncertainty",
    "UnitNames",
    "UnitResult",
    "UnknownMethodologyError",
    "UnknownNodeError",
    "UnknownUnitError",
    "WhatIf",
    "__version__",
    "aggregate_survey",
    "assessed_ministries",
    "assign_band",
    "check_methodology",
    "check_methodology_file",
    "compare_with_skeleton",
    "complete_methodology",
    "default_registry",
    "diff_methodologies",
    "dump_methodology",
    "gap",
    "get_methodology",
    "get_policy",
    "get_questionnaire",
    "json_schema",
    "list_methodologies",
    "list_policies",
    "list_questionnaires",
    "load_methodology",
    "load_questionnaire",
    "match_unit",
    "methodology_from_dict",
    "methodology_to_dict",
    "parse_rule",
    "plot_profile",
    "plot_rank_movement",
    "plot_ranking",
    "province_predecessors",
    "province_successor",
    "provinces",
    "questionnaire_from_dict",
    "rank",
    "rank_change",
    "rank_values",
    "read_excel_sheet",
    "read_methodology_table",
    "read_responses",
    "register_policy",
    "round_half_up",
    "score",
    "score_frame",
    "simulate",
    "sipas_index",
    "sipas_percent",
    "sipas_points",
    "to_html",
    "what_if",
    "wide_to_tidy",
    "write_excel_template",
]
