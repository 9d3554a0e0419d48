"""parindex: exact, versioned computation of Vietnam's administrative-reform index
(PAR INDEX, Chỉ số cải cách hành chính).

The facade holds the names most users need; the layers are public subpackages for the
rest (``parindex.model``, ``parindex.io``, ``parindex.engine``, ``parindex.analysis``,
``parindex.authoring``, ``parindex.present``, ``parindex.rules``, ``parindex.errors``).
Data flows one way: methodology files -> validated model objects -> pure scoring ->
ranking and analysis -> presentation (see the Architecture page of the docs).

Example:
    >>> import parindex
    >>> sheet = parindex.load_sheet("examples/daklak-2017.csv")
    >>> result = parindex.score("province-2017", sheet)
    >>> parindex.round_half_up(result.unit("Đắk Lắk").total.index)
    75.37
"""

import typing as _typing

from parindex import _compat
from parindex._numbers import round_half_up
from parindex._resolving import resolving as _resolving
from parindex._resolving import resolving_both as _resolving_both
from parindex._version import __version__
from parindex.analysis import identity as _identity
from parindex.analysis.names import match_unit
from parindex.analysis.ranking import Ranking, rank, rank_change
from parindex.authoring import diff as _diff
from parindex.authoring.complete import complete_methodology
from parindex.authoring.validate import check_methodology
from parindex.engine.scores import Scores
from parindex.errors import ParIndexError
from parindex.io.catalogue import get_methodology, list_methodologies
from parindex.io.excel import load_excel_sheet
from parindex.io.excel_template import write_excel_template
from parindex.io.methodology import load_methodology, methodology_from_dict, methodology_to_dict
from parindex.io.schema import json_schema
from parindex.io.sheet import load_sheet, sheet_from_csv, sheet_from_json
from parindex.io.survey import builtin_scales as _builtin_scales
from parindex.model.methodology import Band, Methodology, Node
from parindex.model.questionnaire import use_builtin_scales as _use_builtin_scales
from parindex.model.sheet import ScoreEntry, ScoreSheet
from parindex.present.html import to_html

score = _resolving(_identity.score_units)
diff_methodologies = _resolving_both(_diff.diff_methodologies)
# A questionnaire may name a built-in answer scale: the model gets them from the shipped
# data file through parindex.io, read on first use (the model itself reads no file).
# Installed here, at import, like _compat's deprecated readers (io.uncertainty): done
# under the import lock, so no thread can see parindex without them. Deferring both
# would save about 10 ms of 150-200 ms (python -X importtime) for a first-use hook
# that would need a lock of its own.
_use_builtin_scales(_builtin_scales)

if _typing.TYPE_CHECKING:
    from parindex._resolving_analysis import (
        aggregate_survey,
        gap,
        load_questionnaire,
        load_responses,
        load_uncertainty,
        score_frame,
        simulate,
        what_if,
    )

# Analysis features load on first use, keeping ``import parindex`` fast.
_LAZY = dict.fromkeys(
    (
        "aggregate_survey",
        "gap",
        "load_questionnaire",
        "load_responses",
        "load_uncertainty",
        "score_frame",
        "simulate",
        "what_if",
    ),
    "parindex._resolving_analysis",
)


def __getattr__(name: str) -> _typing.Any:
    import importlib

    # Thread-safe: import_module waits for an import another thread has under way, and
    # returns the module only once it is complete.
    module = _LAZY.get(name)
    if module is not None:
        value = getattr(importlib.import_module(module), name)
        globals()[name] = value
        return value
    return _compat.moved(name)


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "Band",
    "Methodology",
    "Node",
    "ParIndexError",
    "Ranking",
    "ScoreEntry",
    "ScoreSheet",
    "Scores",
    "__version__",
    "aggregate_survey",
    "check_methodology",
    "complete_methodology",
    "diff_methodologies",
    "gap",
    "get_methodology",
    "json_schema",
    "list_methodologies",
    "load_excel_sheet",
    "load_methodology",
    "load_questionnaire",
    "load_responses",
    "load_sheet",
    "load_uncertainty",
    "match_unit",
    "methodology_from_dict",
    "methodology_to_dict",
    "rank",
    "rank_change",
    "round_half_up",
    "score",
    "score_frame",
    "sheet_from_csv",
    "sheet_from_json",
    "simulate",
    "to_html",
    "what_if",
    "write_excel_template",
]
