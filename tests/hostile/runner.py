"""Loads the hostile-input cases in ``cases/*.yaml`` and builds and runs their inputs.

One file per input path (``csv-text.yaml`` holds the ``csv-text`` cases, ...), plus any
later rounds as ``round<N>-<path>.yaml`` (``round2-csv-text.yaml``). A file is
``{path: <the path>, cases: [...]}``; ``cli.yaml`` may also list ``files`` that the
command lines name as ``${name}``. A case is a mapping with ``id``, ``input``, ``error``
(the class name), ``fragments`` (text the message must contain) and, for some paths,
``options``. ``${NAME}`` in a fragment is a limit of the library (``MAX_FILE_BYTES``,
``MAX_DEPTH``, ...) and ``${row:1.4.2}`` the Excel template row of a node. A ``cli``
case with ``options: {bounded: {memory_mb: M, seconds: S}}`` is also run in a child
process under ``RLIMIT_AS`` of M MiB and a timeout of S seconds (a resource limit must
stop it with exit 2 first).

An input that cannot be literal text is a generator, ``{generate: <name>, ...}``
(``GENERATORS``), or a Python call, ``{call: dotted.name, args: [...], kwargs: {...}}``
or ``{method: name, of: <value>, args: [...]}``. A whole number may be written as a
limit plus or minus a number (``MAX_FILE_BYTES + 1``). Every file is checked when it is
loaded: a duplicated key, an unknown path, error class, option, generator or callable
raises ``CaseFileError``, so a malformed file fails the run instead of losing cases.
"""

from __future__ import annotations

import copy
import functools
import http.client
import importlib
import io
import json
import re
import socket
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import yaml

import parindex
import parindex.errors
import parindex.limits
from parindex import ParIndexError, cli
from parindex.cli.common import UsageError
from parindex.io.excel import _FIRST_ROW as XL_FIRST_ROW
from parindex.io.excel import _KEY_ROW as XL_KEY_ROW
from parindex.io.excel import EXCEL_COLUMNS
from parindex.io.safe import MAX_DEPTH, MAX_FILE_BYTES
from parindex.io.sheet import load_sheet, sheet_from_csv, sheet_from_json
from parindex.service import MAX_BODY_BYTES, MAX_JSON_DEPTH
from parindex.service.protocol import HttpError

ROOT = Path(__file__).resolve().parents[2]
CASES_DIR = Path(__file__).with_name("cases")
M = "illustrative-district"

# The input paths, in the order the cases run; each has exactly one file in cases/.
PATHS = (
    "csv-text",
    "csv-file",
    "json-text",
    "json-file",
    "methodology-file",
    "methodology-dict",
    "api",
    "cli",
    "excel-file",
    "survey",
    "http",
)
_SHEET_OPTIONS = {"decimal_comma", "missing", "rate_scale"}
OPTIONS: dict[str, set[str]] = {
    **dict.fromkeys(("csv-text", "csv-file", "json-text", "json-file"), _SHEET_OPTIONS),
    "excel-file": {"file", "scored", "decimal_comma"},
    "survey": {"questionnaire", "methodology", "policy"},
    "http": {"status", "type", "fields"},
    "cli": {"bounded"},
}
HTTP_INPUT = {"method", "path", "headers", "body", "json", "raw"}
ERRORS: dict[str, type[BaseException]] = {
    **{
        name: obj
        for name, obj in vars(parindex.errors).items()
        if isinstance(obj, type) and issubclass(obj, ParIndexError)
    },
    "UsageError": UsageError,
    "HttpError": HttpError,
}
CONSTANTS = {
    "MAX_FILE_BYTES": MAX_FILE_BYTES,
    "MAX_DEPTH": MAX_DEPTH,
    "MAX_BODY_BYTES": MAX_BODY_BYTES,
    "MAX_JSON_DEPTH": MAX_JSON_DEPTH,
    "XL_KEY_ROW": XL_KEY_ROW,
    **{name: getattr(parindex.limits, name) for name in parindex.limits.__all__ if name.isupper()},
}
_XL_COL = {key: i + 1 for i, (key, _, _) in enumerate(EXCEL_COLUMNS)}
_XL_ROW = {n.id: XL_FIRST_ROW + i for i, n in enumerate(parindex.get_methodology(M).nodes())}
_BASE = parindex.methodology_to_dict(parindex.get_methodology(M))
_QUESTIONNAIRE = ROOT / "src/parindex/data/questionnaires/illustrative-district.yaml"


class CaseFileError(ValueError):
    """A case file that does not say what the runner can run."""


@dataclass(frozen=True)
class Case:
    """One hostile input and what it must raise."""

    id: str
    path: str
    input: Any  # the spec as written; ``build`` turns it into the value
    error: type[BaseException]
    fragments: tuple[str, ...]
    options: Mapping[str, Any] = field(default_factory=dict)
    files: Mapping[str, Any] = field(default_factory=dict)  # cli.yaml's ``files``


# ---------------------------------------------------------------- loading and checks


class _Loader(yaml.SafeLoader):
    """Safe YAML that refuses a key given twice (which would silently replace a value)."""

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        keys = [self.construct_object(k, deep=True) for k, _ in node.value]
        for key in keys:
            if keys.count(key) > 1:
                raise CaseFileError(f"duplicate key {key!r} {node.start_mark}")
        return super().construct_mapping(node, deep=deep)


def number(value: object) -> int:
    """A whole number, or ``NAME``/``NAME + n``/``NAME - n`` with NAME in CONSTANTS."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    match = re.fullmatch(r"\s*([A-Z_]+)\s*(?:([+-])\s*(\d+))?\s*", str(value))
    if match is None or match[1] not in CONSTANTS:
        raise CaseFileError(f"not a whole number or limit: {value!r}")
    step = int(match[3] or 0)
    return CONSTANTS[match[1]] + (step if match[2] != "-" else -step)


def fill(text: str, values: Mapping[str, object] = {}) -> str:
    """Replace each ``${name}`` (a limit, ``row:<node>`` or one of ``values``)."""

    def one(match: re.Match[str]) -> str:
        key = match[1]
        if key.startswith("row:"):
            return str(_XL_ROW[key[4:]])
        if key in values:
            return str(values[key])
        if key in CONSTANTS:
            return str(CONSTANTS[key])
        raise CaseFileError(f"unknown placeholder ${{{key}}} in {text!r}")

    return re.sub(r"\$\{([^}]+)\}", one, text)


def resolve(dotted: str) -> Any:
    """The object a dotted name such as ``parindex.ScoreSheet.from_records`` names."""
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for name in parts[i:]:
            obj = getattr(obj, name)
        return obj
    raise CaseFileError(f"cannot import {dotted!r}")


def _check_spec(spec: object, where: str) -> None:
    """Every generator, edit and callable named in an input spec exists."""
    if isinstance(spec, list):
        for item in spec:
            _check_spec(item, where)
    elif isinstance(spec, dict):
        if "generate" in spec and spec["generate"] not in GENERATORS:
            raise CaseFileError(f"{where}: unknown generator {spec['generate']!r}")
        if "edit" in spec and spec["edit"] not in EDITS:
            raise CaseFileError(f"{where}: unknown workbook edit {spec['edit']!r}")
        if "call" in spec:
            try:
                resolve(spec["call"])
            except (AttributeError, CaseFileError) as err:
                raise CaseFileError(f"{where}: no callable {spec['call']!r}") from err
        for value in spec.values():
            _check_spec(value, where)


def path_of(stem: str) -> str:
    """The input path of a case file: its name, less a ``round<N>-`` prefix."""
    match = re.fullmatch(r"round[0-9]+-(.+)", stem)
    return match[1] if match and match[1] in PATHS else stem


def check_file(doc: object, stem: str) -> list[Case]:
    """The cases of one file, each checked; raise CaseFileError on anything unexpected."""
    stem = path_of(stem)
    if not isinstance(doc, dict) or doc.get("path") != stem or not doc.get("cases"):
        raise CaseFileError(f"{stem}.yaml: must be {{path: {stem}, cases: [...]}}")
    if stem not in PATHS or set(doc) - {"path", "cases", "files"}:
        raise CaseFileError(f"{stem}.yaml: unknown path or top-level keys {sorted(doc)}")
    files = doc.get("files", {})
    cases = []
    for raw in doc["cases"]:
        where = f"{stem}.yaml: {raw.get('id') if isinstance(raw, dict) else raw!r}"
        if not isinstance(raw, dict) or set(raw) - {"id", "input", "error", "fragments", "options"}:
            raise CaseFileError(f"{where}: unknown keys")
        if not {"id", "input", "error", "fragments"} <= set(raw):
            raise CaseFileError(f"{where}: needs id, input, error and fragments")
        if not isinstance(raw["id"], str) or not re.fullmatch(r"[a-z0-9][a-z0-9.-]*", raw["id"]):
            raise CaseFileError(f"{where}: bad id")
        if raw["error"] not in ERRORS:
            raise CaseFileError(f"{where}: unknown error class {raw['error']!r}")
        fragments = raw["fragments"]
        if not isinstance(fragments, list) or not fragments:
            raise CaseFileError(f"{where}: fragments must be a non-empty list")
        if not all(isinstance(f, str) and f for f in fragments):
            raise CaseFileError(f"{where}: every fragment must be non-empty text")
        options = raw.get("options", {})
        if not isinstance(options, dict) or set(options) - OPTIONS.get(stem, set()):
            raise CaseFileError(f"{where}: options {options!r} not allowed for {stem}")
        if stem == "http" and (
            not isinstance(options.get("status"), int)
            or not isinstance(raw["input"], dict)
            or set(raw["input"]) - HTTP_INPUT
        ):
            raise CaseFileError(f"{where}: needs a status and a request ({sorted(HTTP_INPUT)})")
        bounded = options.get("bounded")
        if bounded is not None and (
            not isinstance(bounded, dict) or set(bounded) != {"memory_mb", "seconds"}
        ):
            raise CaseFileError(f"{where}: bounded needs memory_mb and seconds")
        if stem == "cli" and not (
            isinstance(raw["input"], list) and all(isinstance(a, str) for a in raw["input"])
        ):
            raise CaseFileError(f"{where}: a command line is a list of text")
        _check_spec([raw["input"], options, files], where)
        frags = tuple(fill(f) for f in fragments)
        error = ERRORS[raw["error"]]
        cases.append(Case(raw["id"], stem, raw["input"], error, frags, options, files))
    return cases


def load_text(text: str, stem: str) -> list[Case]:
    return check_file(yaml.load(text, Loader=_Loader), stem)


def load_cases(folder: Path = CASES_DIR) -> list[Case]:
    """Every case of every file, in PATHS order; ids unique across files."""
    stems = sorted(p.stem for p in folder.glob("*.yaml"))
    firsts = [s for s in stems if s == path_of(s)]
    if firsts != sorted(PATHS) or [p.name for p in folder.iterdir() if p.suffix != ".yaml"]:
        raise CaseFileError(f"{folder}: want exactly {sorted(PATHS)}.yaml, found {stems}")
    order = {path: i for i, path in enumerate(PATHS)}
    stems.sort(key=lambda s: (order[path_of(s)], s != path_of(s), s))
    cases = [
        c for stem in stems for c in load_text((folder / f"{stem}.yaml").read_text("utf-8"), stem)
    ]
    ids = [c.id for c in cases]
    if len(set(ids)) != len(ids):
        raise CaseFileError(f"case ids repeat: {sorted({i for i in ids if ids.count(i) > 1})}")
    return cases


# ---------------------------------------------------------------- generators


def build(spec: Any) -> Any:
    """The value an input spec describes (text, bytes, a dict, a call's result...)."""
    if isinstance(spec, list):
        return [build(item) for item in spec]
    if not isinstance(spec, dict):
        return spec
    if "generate" in spec:
        return GENERATORS[spec["generate"]](**{k: v for k, v in spec.items() if k != "generate"})
    if "call" in spec:
        return resolve(spec["call"])(*build(spec.get("args", [])), **build(spec.get("kwargs", {})))
    if "method" in spec:
        target = getattr(build(spec["of"]), spec["method"])
        return target(*build(spec.get("args", [])), **build(spec.get("kwargs", {})))
    return {key: build(value) for key, value in spec.items()}


def cp1258(text: str) -> bytes:
    """Text as Windows-1258 bytes, the legacy Vietnamese encoding: a precomposed letter
    where the code page has one, else a base letter and a combining tone mark."""
    out = b""
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            base, mark = unicodedata.normalize("NFC", parts[:-1]), parts[-1]
            out += base.encode("cp1258") + mark.encode("cp1258")
    return out


def _encode(text: str, encoding: str = "utf-8", recode: Mapping[str, str] = {}) -> bytes:
    """``text`` in ``encoding`` (``cp1258`` as Vietnamese Windows writes it), except the
    characters in ``recode``, each written in the encoding it maps to."""
    enc: Callable[[str], bytes] = cp1258 if encoding == "cp1258" else lambda s: s.encode(encoding)
    out = enc(text)
    for char, other in recode.items():
        out = out.replace(enc(char), char.encode(other))
    return out


def _concat(parts: list[Any]) -> str | bytes:
    """The parts joined; text is written as UTF-8 if any part is bytes."""
    values = [build(p) for p in parts]
    if any(isinstance(v, bytes) for v in values):
        return b"".join(v.encode() if isinstance(v, str) else v for v in values)
    return "".join(values)


def _nest(
    depth: object, open: str = "[", close: str = "]", prefix: str = "", suffix: str = ""
) -> str:
    """``prefix`` + ``open`` x depth + ``close`` x depth + ``suffix``."""
    n = number(depth)
    return prefix + open * n + close * n + suffix


def _yaml_block_nest(depth: object) -> str:
    """A YAML block mapping nested ``depth`` levels deep."""
    n = number(depth)
    return "".join(" " * i + f"k{i}:\n" for i in range(n)) + " " * n + "v: 1\n"


def _zip(members: Mapping[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, text in members.items():
            z.writestr(name, text)
    return out.getvalue()


@functools.cache
def _zip_bomb(member: str, size: object) -> bytes:
    """A small zip whose one member unpacks to ``size`` zero bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr(member, bytes(number(size)))
    return out.getvalue()


def _methodology(at: list[Any], value: Any, node: str | None = None) -> dict[str, Any]:
    """The illustrative methodology as plain data with ``value`` set at ``at`` (a key
    path from ``node``, or from the top); ``value`` may itself be a generator."""
    value = build(value)
    data = copy.deepcopy(_BASE)
    target: Any = data
    if node is not None:
        parts = node.split(".")
        for depth in range(1, len(parts) + 1):
            nodes = target["tree"] if depth == 1 else target["children"]
            (target,) = [n for n in nodes if n["id"] == ".".join(parts[:depth])]
    for key in at[:-1]:
        target = target[key]
    target[at[-1]] = value
    return data


def _questionnaire(replace: list[str]) -> str:
    """The questionnaire shipped for M with one ``[old, new]`` edit."""
    old, new = replace
    text = _QUESTIONNAIRE.read_text(encoding="utf-8")
    if old not in text:
        raise CaseFileError(f"{old!r} is not in the shipped questionnaire")
    return text.replace(old, new, 1)


# A workbook "edit" is applied to the template written for M (one unit worksheet, A).
def _edit_cell(wb: Any, node: str, column: str, value: object, number_format: str = "") -> None:
    cell = wb["A"].cell(row=_XL_ROW[node], column=_XL_COL[column])
    cell.value = value
    if number_format:
        cell.number_format = number_format


def _edit_clear_keys_row(wb: Any) -> None:
    for col in _XL_COL.values():
        wb["A"].cell(row=XL_KEY_ROW, column=col).value = None


def _edit_copy_unit(wb: Any, unit: str) -> None:
    wb.copy_worksheet(wb["A"])["B2"].value = unit  # a copy of A as filled in so far


def _edit_at(wb: Any, sheet: str, ref: str, value: object) -> None:
    wb[sheet][ref].value = value


def _edit_hide(wb: Any, sheet: str, state: str = "hidden") -> None:
    wb[sheet].sheet_state = state


EDITS: dict[str, Callable[..., None]] = {
    "cell": _edit_cell,
    "at": _edit_at,
    "copy-unit": _edit_copy_unit,
    "hide": _edit_hide,
    "clear-keys-row": _edit_clear_keys_row,
    "remove-sheet": lambda wb, sheet: wb.remove(wb[sheet]),
}


@functools.cache
def _template() -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        m = parindex.get_methodology(M)
        return parindex.write_excel_template(m, Path(tmp) / "t.xlsx", units=["A"]).read_bytes()


_WORKBOOKS: dict[str, bytes] = {}


def _workbook(edits: list[dict[str, Any]]) -> bytes:
    """The template with ``edits`` applied in order; each workbook is built once."""
    key = repr(edits)
    if key not in _WORKBOOKS:
        wb = openpyxl.load_workbook(io.BytesIO(_template()))
        for edit in edits:
            EDITS[edit["edit"]](wb, **{k: v for k, v in edit.items() if k != "edit"})
        out = io.BytesIO()
        wb.save(out)
        _WORKBOOKS[key] = out.getvalue()
    return _WORKBOOKS[key]


GENERATORS: dict[str, Callable[..., Any]] = {
    "no-file": lambda: None,  # the path names a file that does not exist
    "encode": _encode,
    "concat": _concat,
    "repeat": lambda of, times: build(of) * number(times),
    "zeros": lambda count: bytes(number(count)),
    "hex": lambda digits: bytes.fromhex(digits),
    "all-bytes": lambda: bytes(range(256)),
    "nest": _nest,
    "yaml-block-nest": _yaml_block_nest,
    "zip": _zip,
    "zip-bomb": _zip_bomb,
    "workbook": _workbook,
    "methodology": _methodology,
    "shipped-questionnaire": _questionnaire,
    "repo-path": lambda path: str(ROOT / path),
    "json": lambda value: json.dumps(build(value), ensure_ascii=False),
}


# ---------------------------------------------------------------- running a case


def write(tmp: Path, name: str, data: str | bytes) -> Path:
    path = tmp / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def _input_file(case: Case, tmp: Path, name: str) -> Path:
    data = build(case.input)
    return tmp / name if data is None else write(tmp, name, data)


def _survey_files(case: Case, tmp: Path) -> tuple[Path, Path | None]:
    """The responses file and the questionnaire file (None: the one shipped for M)."""
    questionnaire = case.options.get("questionnaire")
    return write(tmp, "responses.csv", build(case.input)), (
        None if questionnaire is None else write(tmp, "q.yaml", build(questionnaire))
    )


def python_call(case: Case, tmp: Path) -> Callable[[], object]:
    """The Python call that feeds this case's input to the library."""
    opts = case.options
    read = {"decimal_comma": opts.get("decimal_comma", False)}
    score_kw = {"missing": opts.get("missing", "zero"), "rate_scale": opts.get("rate_scale")}
    if case.path == "csv-text":
        return lambda: parindex.score(M, sheet_from_csv(build(case.input), **read), **score_kw)
    if case.path == "json-text":
        return lambda: parindex.score(M, sheet_from_json(build(case.input), **read), **score_kw)
    if case.path in ("csv-file", "json-file"):
        path = _input_file(case, tmp, "sheet.csv" if case.path == "csv-file" else "sheet.json")
        return lambda: parindex.score(M, load_sheet(path, **read), **score_kw)
    if case.path == "excel-file":
        path = _input_file(case, tmp, opts.get("file", "sheet.xlsx"))
        comma = opts.get("decimal_comma")  # None: as the workbook's settings sheet declares
        return lambda: parindex.score(
            M, parindex.load_excel_sheet(path, decimal_comma=comma), **score_kw
        )
    if case.path == "survey":
        responses, questionnaire = _survey_files(case, tmp)

        def survey() -> object:
            q = (
                parindex.io.survey.get_questionnaire(M)
                if questionnaire is None
                else parindex.load_questionnaire(questionnaire)
            )
            result = parindex.aggregate_survey(
                parindex.load_responses(responses),
                q,
                methodology=opts.get("methodology", M),
                policy=opts.get("policy"),
            )
            return result.to_sheet()  # as `parindex survey` does

        return survey
    if case.path == "methodology-file":
        path = write(tmp, "m.yaml", build(case.input))
        return lambda: parindex.load_methodology(path)
    if case.path == "methodology-dict":
        data = build(case.input)
        return lambda: parindex.methodology_from_dict(data)
    if case.path == "api":
        return lambda: build(case.input)
    if case.path == "cli":
        argv = cli_argv(case, tmp)

        def direct() -> object:
            args = cli.build_parser().parse_args(argv)
            return args.func(args, io.StringIO())

        return direct
    raise CaseFileError(f"no Python runner for path {case.path!r}")


def cli_argv(case: Case, tmp: Path) -> list[str] | None:
    """The command line that feeds this case's input to the CLI (None: no CLI form)."""
    opts = case.options
    flags = ["--missing", opts.get("missing", "zero")]
    if opts.get("decimal_comma"):
        flags.append("--decimal-comma")
    if opts.get("rate_scale"):
        flags += ["--rate-scale", opts["rate_scale"]]
    if case.path in ("csv-text", "json-text", "csv-file", "json-file"):
        name = "sheet.csv" if case.path.startswith("csv") else "sheet.json"
        return ["score", "-m", M, *flags, str(_input_file(case, tmp, name))]
    if case.path == "excel-file":
        if opts.get("scored"):
            return None  # read-excel converts without a methodology; scoring finds it
        path = _input_file(case, tmp, opts.get("file", "sheet.xlsx"))
        comma = {True: ["--decimal-comma"], False: ["--no-decimal-comma"], None: []}
        return ["read-excel", str(path), *comma[opts.get("decimal_comma")]]
    if case.path == "survey":
        responses, questionnaire = _survey_files(case, tmp)
        argv = ["survey", "-m", opts.get("methodology", M)]
        if questionnaire is not None:
            argv += ["-q", str(questionnaire)]
        if opts.get("policy"):
            argv += ["--policy", opts["policy"]]
        return [*argv, str(responses)]
    if case.path == "methodology-file":
        return ["validate", str(write(tmp, "m.yaml", build(case.input)))]
    if case.path == "methodology-dict":
        text = json.dumps(build(case.input), ensure_ascii=False)
        return ["validate", str(write(tmp, "m.json", text))]
    if case.path == "cli":
        values = {"tmp": str(tmp)}
        for key, spec in case.files.items():
            values[key] = str(write(tmp, spec["name"], build(spec["text"])))
        return [fill(arg, values) for arg in case.input]
    return None


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = cli.main(argv, stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


# ---------------------------------------------------------------- HTTP requests


@dataclass(frozen=True)
class Request:
    """A request for the service, or ``raw`` bytes sent as is."""

    method: str = "POST"
    path: str = "/score"
    body: bytes | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    raw: bytes | None = None


def request(spec: Mapping[str, Any]) -> Request:
    """An "http" case's request: ``body`` (text is sent as UTF-8), ``json`` (a value sent
    as JSON text) or ``raw`` bytes, with ``method``, ``path`` and ``headers``."""
    body = build(spec["body"]) if "body" in spec else None
    if "json" in spec:
        body = json.dumps(build(spec["json"]), ensure_ascii=False)
    raw = build(spec["raw"]) if "raw" in spec else None
    return Request(
        spec.get("method", "POST"),
        spec.get("path", "/score"),
        body.encode() if isinstance(body, str) else body,
        dict(spec.get("headers", {})),
        raw.encode() if isinstance(raw, str) else raw,
    )


def send(service: tuple[str, int], req: Request) -> tuple[int, str, str]:
    """``(status, Content-Type, body)`` of the answer; every socket call is bounded."""
    if req.raw is not None:
        with socket.create_connection(service, timeout=10) as sock:
            sock.sendall(req.raw)
            sock.shutdown(socket.SHUT_WR)
            data = b"".join(iter(lambda: sock.recv(65536), b""))
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = dict(line.split(": ", 1) for line in lines[1:])
        return int(lines[0].split()[1]), headers.get("Content-Type", ""), body.decode("utf-8")
    conn = http.client.HTTPConnection(*service, timeout=10)
    try:
        conn.putrequest(req.method, req.path, skip_accept_encoding=True)
        headers = dict(req.headers)
        if req.body is not None and not {"Content-Length", "Transfer-Encoding"} & set(headers):
            headers["Content-Length"] = str(len(req.body))
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.endheaders(req.body)
        resp = conn.getresponse()
        return resp.status, resp.getheader("Content-Type", ""), resp.read().decode("utf-8")
    finally:
        conn.close()
