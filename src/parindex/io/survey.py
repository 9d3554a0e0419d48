"""Reading survey files: tidy responses (CSV), questionnaires (YAML or JSON), the
shipped questionnaires under ``parindex/data/questionnaires/`` and the built-in
answer scales of ``parindex/data/scales.yaml``.

Every file goes through the safe loader (:mod:`parindex.io.safe`); every cell of a
response file is read as text and nothing is evaluated. A response file is bounded by
:data:`~parindex.limits.MAX_SURVEY_BYTES` and :data:`~parindex.limits.MAX_SURVEY_ROWS`,
both checked before any frame is built.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Iterator, Mapping
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from parindex._text import unneutralize_cell
from parindex.errors import InputFormatError, MethodologyError, QuestionnaireError
from parindex.io.methodology import _expect
from parindex.io.methodology import _keys as _only
from parindex.io.safe import csv_delimiter, nul_error, read_text_file, safe_parse
from parindex.limits import MAX_SURVEY_BYTES, MAX_SURVEY_ROWS, check_limit
from parindex.model.questionnaire import (
    AnswerScale,
    Questionnaire,
    RespondentGroup,
    SurveyItem,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "BUILTIN_SCALES",
    "LIKERT_4",
    "LIKERT_5",
    "MAX_RESPONSE_BYTES",
    "QUESTIONNAIRE_FORMAT",
    "RESPONSE_COLUMNS",
    "SCALES_FORMAT",
    "YES_NO",
    "builtin_scales",
    "get_questionnaire",
    "list_questionnaires",
    "load_questionnaire",
    "load_responses",
    "questionnaire_from_dict",
    "responses_from_csv_text",
]

QUESTIONNAIRE_FORMAT = "parindex-questionnaire/1"
SCALES_FORMAT = "parindex-scales/1"
RESPONSE_COLUMNS = ("unit", "respondent", "group", "item", "answer")
"""Columns of tidy survey responses (``group`` may be left out when the questionnaire
has a single respondent group; other columns are ignored)."""
MAX_RESPONSE_BYTES = MAX_SURVEY_BYTES
"""Response files larger than this are refused (:data:`parindex.limits.MAX_SURVEY_BYTES`)."""

BUILTIN_SCALES: Mapping[str, AnswerScale]
"""Scales a questionnaire may use without defining them, by id (read on first use)."""
LIKERT_4: AnswerScale
"""Likert 1-4 (rất kém ... rất tốt), positive from 3, "don't know" coded 9 or DK."""
LIKERT_5: AnswerScale
"""Likert 1-5 (rất không hài lòng ... rất hài lòng), positive (satisfied) from 4,
"don't know" coded 9 or DK."""
YES_NO: AnswerScale
"""Yes (1) / no (0), "don't know" coded 9 or DK."""

_SCALE_CONSTANTS = {"LIKERT_4": "likert4", "LIKERT_5": "likert5", "YES_NO": "yes_no"}


# --------------------------------------------------------------------------- responses


def load_responses(path: str | Path, *, max_rows: int = MAX_SURVEY_ROWS) -> pd.DataFrame:
    """Read tidy survey responses from a CSV file (UTF-8, header row; columns
    :data:`RESPONSE_COLUMNS`; cells separated by commas, or by semicolons as Excel
    saves CSV in a Vietnamese locale). Every cell is read as text; nothing is evaluated.

    Raises:
        LimitExceededError: the file is over :data:`~parindex.limits.MAX_SURVEY_BYTES`,
            or has more than ``max_rows`` rows (default
            :data:`~parindex.limits.MAX_SURVEY_ROWS`), both told before a frame is built.

    Example:
        >>> import parindex
        >>> frame = parindex.load_responses("examples/survey-illustrative-district.csv")
        >>> list(frame.columns)
        ['unit', 'respondent', 'group', 'item', 'answer']
        >>> parindex.load_responses("examples/survey-illustrative-district.csv", max_rows=100)
        Traceback (most recent call last):
        ...
        parindex.errors.LimitExceededError: examples/survey-illustrative-district.csv: 873 rows is more than the limit MAX_SURVEY_ROWS = 100; pass max_rows= to raise it
    """
    try:
        size = Path(path).stat().st_size
    except OSError:
        size = 0  # read_text_file names the problem
    check_limit("bytes", size, "MAX_SURVEY_BYTES", MAX_SURVEY_BYTES, where=str(path))
    _check_file_rows(Path(path), max_rows)
    text = read_text_file(path, max_bytes=MAX_SURVEY_BYTES)
    return responses_from_csv_text(text, name=str(path), max_rows=max_rows)


def responses_from_csv_text(
    text: str, *, name: str = "<csv>", max_rows: int = MAX_SURVEY_ROWS
) -> pd.DataFrame:
    """Parse tidy CSV responses (every cell as text; a leading ``'`` that a parindex
    writer added against spreadsheet formulas is stripped). Cells are separated by
    commas, or by semicolons when the header has no comma (Excel's CSV in a locale
    whose decimal mark is a comma; :func:`~parindex.io.safe.csv_delimiter`, as for
    score sheets). More than ``max_rows`` rows is a
    :class:`~parindex.errors.LimitExceededError`, told before parsing; a NUL
    character, an :class:`~parindex.errors.InputFormatError` naming its line.

    Example:
        >>> from parindex.io.survey import responses_from_csv_text
        >>> responses_from_csv_text("unit,respondent,item,answer\\nA,r1,Q1,DK\\n").answer.tolist()
        ['DK']
        >>> responses_from_csv_text("unit;respondent;item;answer\\nA;r1;Q1;3\\n").answer.tolist()
        ['3']
        >>> responses_from_csv_text("unit,respondent,item,answer\\nA,r\\0,Q1,3\\n")
        Traceback (most recent call last):
        ...
        parindex.errors.InputFormatError: <csv>: the file has a NUL byte at line 2 (character 31) and is not a text CSV; save it from the spreadsheet as "CSV UTF-8 (Comma delimited)"
    """
    import pandas as pd

    check_limit("characters", len(text), "MAX_SURVEY_BYTES", MAX_SURVEY_BYTES, where=name)
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise InputFormatError(f"{name}: the file is empty")
    nul = text.find("\0")
    if nul >= 0:  # the csv module would say only "line contains NUL"
        raise nul_error(name, text[:nul], nul)
    sep = csv_delimiter(text)
    try:
        # pandas renames a repeated column ("answer", "answer.1") and reads on: check
        # the header itself.
        header = next((row for row in csv.reader(_lines(text), delimiter=sep) if row), [])
        _check_rows(text, name, max_rows)
        # Bytes, not a StringIO: that would hold a copy at four bytes a character.
        frame = pd.read_csv(
            io.BytesIO(text.encode("utf-8")),
            sep=sep,
            dtype=str,
            keep_default_na=False,
            skipinitialspace=False,
            encoding="utf-8",
        )
    except (ValueError, csv.Error, pd.errors.ParserError) as err:
        if isinstance(err, InputFormatError):
            raise
        raise InputFormatError(f"{name}: malformed CSV: {' '.join(str(err).split())}") from None
    names = [c.strip() for c in header]
    repeated = [c for c in names if names.count(c) > 1]
    if repeated:
        raise InputFormatError(f"{name}: a column name repeats ({repeated[0]!r})")
    if not isinstance(frame.index, pd.RangeIndex):
        # pandas reads a first column with no header as the index, shifting the others.
        raise InputFormatError(f"{name}: line 2 has more cells than the header has columns")
    frame.columns = [str(c).strip() for c in frame.columns]
    for column in frame.columns:
        if frame[column].str.startswith("'").any():  # rare: map only such columns
            frame[column] = frame[column].map(unneutralize_cell)
    return frame


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` one at a time, line ends kept (no copy of the whole)."""
    for match in _LINE.finditer(text):
        if match.group():
            yield match.group()


def _check_file_rows(path: Path, max_rows: int) -> None:
    """:func:`_check_rows` on the file, streamed: a file of too many rows is refused
    before its text (two or four bytes a character) is held whole."""
    try:
        ends = 0
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                ends += chunk.count(b"\n") + chunk.count(b"\r") - chunk.count(b"\r\n")
        if ends <= max_rows + 1:
            return
        with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
            rows = sum(1 for record in csv.reader(handle) if record) - 1
    except (OSError, csv.Error):
        return  # the reading that follows names the problem
    check_limit("rows", rows, "MAX_SURVEY_ROWS", max_rows, override="max_rows=", where=str(path))


def _check_rows(text: str, name: str, max_rows: int) -> None:
    """Refuse more than ``max_rows`` rows before any frame is built: the line ends
    bound the rows from above (counted in C); only past the bound are the records
    counted, one at a time (a quoted cell may span lines; blank lines are no rows)."""
    ends = text.count("\n") + text.count("\r") - text.count("\r\n")
    if ends <= max_rows + 1:  # the header takes one line
        return
    rows = sum(1 for record in csv.reader(_lines(text)) if record) - 1  # less the header
    check_limit("rows", rows, "MAX_SURVEY_ROWS", max_rows, override="max_rows=", where=name)


# --------------------------------------------------------------------------- questionnaires

_Q_KEYS = {
    "format",
    "id",
    "methodology",
    "official",
    "name_vi",
    "name_en",
    "source",
    "notes",
    "policy",
    "policies",
    "dont_know",
    "groups",
    "scales",
    "items",
}


def questionnaire_from_dict(data: object, *, name: str = "questionnaire") -> Questionnaire:
    """Build a :class:`~parindex.model.questionnaire.Questionnaire` from plain data (a
    parsed YAML or JSON file).

    Example:
        >>> from parindex.io.survey import questionnaire_from_dict
        >>> q = questionnaire_from_dict({
        ...     "format": "parindex-questionnaire/1", "id": "demo",
        ...     "methodology": "illustrative-district",
        ...     "groups": [{"id": "citizens"}],
        ...     "items": [{"id": "Q1", "target": "7.4", "scale": "yes_no"}],
        ... })
        >>> q.items[0].scale
        'yes_no'
    """
    try:
        d = _expect(data, dict, name)
        _only(d, _Q_KEYS, name)
    except MethodologyError as err:
        raise QuestionnaireError(str(err)) from None
    if d.get("format") != QUESTIONNAIRE_FORMAT:
        raise QuestionnaireError(
            f"{name}: 'format' must be {QUESTIONNAIRE_FORMAT!r}, got {d.get('format')!r}"
        )
    official = d.get("official", False)
    if not isinstance(official, bool):  # bool("false") is True
        raise QuestionnaireError(f"{name}: 'official' must be true or false, got {official!r}")
    try:
        groups = []
        for i, g in enumerate(_expect(d.get("groups") or [], list, f"{name} groups")):
            gd = _expect(g, dict, f"{name} group {i}")
            _only(gd, {"id", "name_vi", "name_en", "weight"}, f"{name} group {i}")
            groups.append(RespondentGroup(**gd))
        scales = [
            _scale(s, f"{name} scale {i}")
            for i, s in enumerate(_expect(d.get("scales") or [], list, f"{name} scales"))
        ]
        items = []
        for i, it in enumerate(_expect(d.get("items") or [], list, f"{name} items")):
            idd = _expect(it, dict, f"{name} item {i}")
            _only(
                idd,
                {"id", "target", "scale", "text_vi", "text_en", "groups", "dimension"},
                f"{name} item {i}",
            )
            items.append(
                SurveyItem(
                    id=idd.get("id"),
                    target=idd.get("target"),
                    scale=idd.get("scale"),
                    text_vi=str(idd.get("text_vi", "")),
                    text_en=str(idd.get("text_en", "")),
                    groups=tuple(_expect(idd.get("groups") or [], list, f"{name} item {i} groups")),
                    dimension=idd.get("dimension"),
                )
            )
        policies = _expect(d.get("policies") or {}, dict, f"{name} policies")
        return Questionnaire(
            id=d.get("id"),
            methodology=str(d.get("methodology", "")),
            items=items,
            groups=groups,
            scales=scales,
            policy=str(d.get("policy", "linear_mean")),
            policies={str(k): str(v) for k, v in policies.items()},
            dont_know=d.get("dont_know", "exclude"),
            official=official,
            name_vi=str(d.get("name_vi", "")),
            name_en=str(d.get("name_en", "")),
            source=d.get("source"),
            notes=str(d.get("notes", "")),
        )
    except QuestionnaireError as err:
        raise QuestionnaireError(
            err.args[0] if name in err.args[0] else f"{name}: {err}", item=err.item, node=err.node
        ) from None
    except (MethodologyError, TypeError, ValueError, OverflowError) as err:
        raise QuestionnaireError(err.args[0] if name in str(err) else f"{name}: {err}") from None


def _scale(data: object, where: str) -> AnswerScale:
    """An answer scale from plain data (``where`` names it in errors)."""
    sd = _expect(data, dict, where)
    _only(sd, {"id", "low", "high", "positive_from", "dont_know", "labels"}, where)
    labels = _expect(sd.get("labels") or {}, dict, f"{where} labels")
    return AnswerScale(
        id=sd.get("id"),
        low=sd.get("low"),
        high=sd.get("high"),
        positive_from=sd.get("positive_from"),
        dont_know=tuple(_expect(sd.get("dont_know") or [], list, "dont_know")),
        labels=_labels(labels, sd.get("id")),
    )


_WHOLE = re.compile(r"-?[0-9]+")


def _labels(labels: Mapping[object, object], scale: object) -> dict[int, str]:
    """Label codes as whole numbers: int(1.5) is 1 and int(True) is 1, silently; text
    is read only when it is a whole number (JSON keys are always text)."""
    out: dict[int, str] = {}
    for key, text in labels.items():
        if isinstance(key, int) and not isinstance(key, bool):
            code = key
        elif isinstance(key, str) and _WHOLE.fullmatch(key.strip()):
            code = int(key)
        else:
            raise QuestionnaireError(f"scale {scale!r}: label code {key!r} must be a whole number")
        if code in out:
            raise QuestionnaireError(f"scale {scale!r}: label code {code} is given twice")
        out[code] = str(text)
    return out


def load_questionnaire(path: str | Path) -> Questionnaire:
    """Load a questionnaire file (YAML or JSON, read safely).

    Example:
        >>> import parindex
        >>> q = parindex.load_questionnaire(
        ...     "src/parindex/data/questionnaires/illustrative-district.yaml")
        >>> q.official, q.targets
        (False, ('1.4.2', '2.3', '3.3', '4.3', '7.4'))
    """
    text = read_text_file(path)
    return questionnaire_from_dict(safe_parse(text, name=str(path)), name=str(path))


def list_questionnaires() -> list[Questionnaire]:
    """The shipped questionnaires.

    Example:
        >>> from parindex.io.survey import list_questionnaires
        >>> [q.id for q in list_questionnaires()]
        ['illustrative-district']
    """
    folder = resources.files("parindex") / "data" / "questionnaires"
    out = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith((".yaml", ".yml", ".json")):
            text = entry.read_text(encoding="utf-8")
            out.append(questionnaire_from_dict(safe_parse(text, name=entry.name), name=entry.name))
    return out


def get_questionnaire(key: str) -> Questionnaire:
    """A shipped questionnaire, by its id or by the id of its methodology.

    Example:
        >>> from parindex.io.survey import get_questionnaire
        >>> get_questionnaire("illustrative-district").methodology
        'illustrative-district'
    """
    shipped = list_questionnaires()
    for q in shipped:
        if q.id == key:
            return q
    hits = [q for q in shipped if q.methodology == key]
    if len(hits) == 1:
        return hits[0]
    raise QuestionnaireError(
        f"no shipped questionnaire {key!r} (shipped: {', '.join(q.id for q in shipped)}); "
        "load your own with load_questionnaire(path)"
    )


# --------------------------------------------------------------------------- built-in scales


@functools.cache
def builtin_scales() -> Mapping[str, AnswerScale]:
    """The built-in answer scales by id, read once from ``parindex/data/scales.yaml``:
    ``likert4`` (rất kém ... rất tốt), ``likert5`` (rất không hài lòng ... rất hài
    lòng) and ``yes_no`` (không / có), "don't know" coded 9 or DK.

    Example:
        >>> from parindex.io.survey import builtin_scales
        >>> likert5 = builtin_scales()["likert5"]
        >>> likert5.describe(), likert5.labels[4]
        ("1-5, positive from 4; don't know: 9, dk", 'Hài lòng')
    """
    entry = resources.files("parindex") / "data" / "scales.yaml"
    data: dict[str, Any] = safe_parse(entry.read_text(encoding="utf-8"), name=entry.name)
    if data.get("format") != SCALES_FORMAT:  # a shipped file: a check, not a user error
        raise QuestionnaireError(f"{entry.name}: 'format' must be {SCALES_FORMAT!r}")
    scales = (_scale(s, f"{entry.name} scale {i}") for i, s in enumerate(data["scales"]))
    return MappingProxyType({s.id: s for s in scales})


def __getattr__(name: str) -> Any:
    # The built-in scales are read from the data file on first use, not at import.
    if name == "BUILTIN_SCALES":
        return builtin_scales()
    if name in _SCALE_CONSTANTS:
        return builtin_scales()[_SCALE_CONSTANTS[name]]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
