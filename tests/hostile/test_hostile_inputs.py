"""The hostile-input suite: every input path, fed what real sheets and files contain.

The cases are data, one file per input path in ``cases/`` (``runner.py`` says how a
file is written, builds the inputs and runs them). Each case names the exact error
class its input must raise and fragments the message must contain (naming the unit,
node and value where there is one). Every case that can reach the command line is also
run through ``parindex.cli.run``: exit status 2, exactly one line on stderr with the
same fragments, never a traceback. ``http`` cases go to one real server on 127.0.0.1:
a 4xx with a JSON error, and the server answers the next request. ``WORKING`` lists
inputs that look odd but must work (a BOM, CRLF line ends, NFD names, stated scales).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import parindex
from parindex import ParIndexError, ScoreSheet
from parindex.cli.common import UsageError
from parindex.cli.run import _subparser, build_parser, cli_words
from parindex.io.sheet import load_sheet
from parindex.service import serve_in_thread


def _load_runner() -> Any:
    """``runner.py`` beside this file (the tests import by path, not as a package)."""
    spec = importlib.util.spec_from_file_location(
        "hostile_runner", Path(__file__).with_name("runner.py")
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


runner = _load_runner()
Case = runner.Case
ROOT = runner.ROOT
M = runner.M
DAK = "Đắk Lắk"
DAK_NFD = unicodedata.normalize("NFD", DAK)
assert DAK != DAK_NFD

CASES: list[Case] = runner.load_cases()  # raises CaseFileError on a malformed file
PY_CASES = [c for c in CASES if c.path != "http"]
CLI_CASES = [c for c in PY_CASES if c.path != "api" and not c.options.get("scored")]
HTTP_CASES = [c for c in CASES if c.path == "http"]


# ---------------------------------------------------------------- the HTTP service


@pytest.fixture(scope="module")
def service() -> Iterator[tuple[str, int]]:
    """One server for the module, on the loopback interface only."""
    server, thread = serve_in_thread("127.0.0.1", 0)
    host, port = server.server_address[:2]
    assert host == "127.0.0.1"
    try:
        yield str(host), int(port)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        assert not thread.is_alive()


def _http_problem(service: tuple[str, int], case: Case) -> str:
    """Send the case; check the status and the JSON error; return the whole answer."""
    status, ctype, text = runner.send(service, runner.request(case.input))
    assert status == case.options["status"], (status, text)
    assert ctype.startswith("application/json"), ctype
    err = json.loads(text)["error"]
    assert err["type"] == case.options.get("type", case.error.__name__), err
    for fragment in case.fragments:
        assert fragment in err["message"], f"{fragment!r} not in {err['message']!r}"
    for key, value in case.options.get("fields", {}).items():
        assert err[key] == value, (key, err)
    return text


# ---------------------------------------------------------------- the cases


@pytest.mark.parametrize("case", PY_CASES, ids=[c.id for c in PY_CASES])
def test_python_raises_the_typed_error(case: Case, tmp_path: Path) -> None:
    call = runner.python_call(case, tmp_path)
    try:
        call()
    except BaseException as caught:
        err = caught
    else:
        raise AssertionError(f"{case.id}: no error raised")
    assert type(err) is case.error, f"{type(err).__name__}: {err}"
    if case.error is not UsageError:
        assert isinstance(err, ParIndexError)
    message = str(err)
    for fragment in case.fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"


@pytest.mark.parametrize("case", CLI_CASES, ids=[c.id for c in CLI_CASES])
def test_cli_exits_2_with_one_line(case: Case, tmp_path: Path) -> None:
    argv = runner.cli_argv(case, tmp_path)
    assert argv is not None
    status, out, err = runner.run_cli(argv)
    assert status == 2, (status, out, err)
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("parindex: error: ")
    # The CLI names its flags where the library names Python arguments.
    command = _subparser(build_parser(), argv[0]) if argv else None
    for fragment in case.fragments:
        expected = cli_words(fragment, command)
        assert expected in lines[0], f"{expected!r} not in {lines[0]!r}"


@pytest.mark.parametrize("case", HTTP_CASES, ids=[c.id for c in HTTP_CASES])
def test_http_answers_4xx_with_a_json_error(case: Case, service: tuple[str, int]) -> None:
    text = _http_problem(service, case)
    assert "Traceback" not in text
    assert 'File "' not in text
    # ... and the server keeps answering.
    status, _, health = runner.send(service, runner.Request("GET", "/health"))
    assert (status, json.loads(health)["status"]) == (200, "ok")


def test_no_case_prints_a_traceback(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], service: tuple[str, int]
) -> None:
    printed = []
    for i, case in enumerate(CASES):
        if case.path == "http":  # the server's own stderr is in capfd too
            printed.append(_http_problem(service, case))
            continue
        folder = tmp_path / str(i)
        folder.mkdir()
        try:
            runner.python_call(case, folder)()
        except BaseException as err:
            printed.append(str(err))
        argv = runner.cli_argv(case, folder)
        if argv is not None:
            status, out, err = runner.run_cli(argv)
            assert status == 2, (case.id, err)
            printed += [out, err]
    captured = capfd.readouterr()
    printed += [captured.out, captured.err]
    assert len(printed) > len(CASES)
    for text in printed:
        assert "Traceback" not in text
        assert 'File "' not in text


_GOOD = """\
path: csv-text
cases:
  - {id: ok, input: "x", error: InputFormatError, fragments: [empty]}
"""
_MALFORMED = {  # one mistake each; every one must stop the run
    "unknown error class": _GOOD.replace("InputFormatError", "InputFormatEror"),
    "no fragments": _GOOD.replace("[empty]", "[]"),
    "blank fragment": _GOOD.replace("[empty]", '[""]'),
    "missing input": _GOOD.replace('input: "x", ', ""),
    "unknown case key": _GOOD.replace("error:", "erorr: x, error:"),
    "key given twice": _GOOD.replace("error:", "error: ScoreSheetError, error:"),
    "path not the file's": _GOOD.replace("path: csv-text", "path: csv-file"),
    "unknown option": _GOOD.replace("}", ", options: {decimal_coma: true}}"),
    "unknown generator": _GOOD.replace('"x"', "{generate: repeats, of: x, times: 2}"),
    "unknown callable": _GOOD.replace('"x"', "{call: parindex.scroe}"),
    "unknown limit": _GOOD.replace("[empty]", '["${MAX_FILE_BYTE}"]'),
    "no cases": "path: csv-text\ncases: []\n",
}


def test_the_suite_is_big_enough_and_covers_every_path(tmp_path: Path) -> None:
    assert len(CASES) >= 60
    assert len({c.id for c in CASES}) == len(CASES), "case ids must be unique"
    paths = {c.path for c in CASES}
    assert (
        paths
        == set(runner.PATHS)
        == {
            "csv-text",
            "csv-file",
            "json-text",
            "json-file",
            "excel-file",
            "survey",
            "methodology-file",
            "methodology-dict",
            "api",
            "cli",
            "http",
        }
    )
    for path in ("excel-file", "survey", "http"):
        assert sum(c.path == path for c in CASES) >= 5, path
    for case in CASES:
        assert case.error in runner.ERRORS.values(), case.id
        assert case.fragments, case.id
        assert all(case.fragments), case.id
    # A malformed case file fails loudly instead of losing cases.
    assert [c.id for c in runner.load_text(_GOOD, "csv-text")] == ["ok"]
    for mistake, text in _MALFORMED.items():
        with pytest.raises(runner.CaseFileError):  # noqa: PT012 - name the mistake it missed
            runner.load_text(text, "csv-text")
            raise AssertionError(f"accepted a file with: {mistake}")
    with pytest.raises(runner.CaseFileError):
        runner.load_text(_GOOD.replace("csv-text", "csv-texts"), "csv-texts")
    # Ids are unique across files; there is one file per path and nothing else.
    for file in runner.CASES_DIR.iterdir():
        (tmp_path / file.name).write_bytes(file.read_bytes())
    assert len(runner.load_cases(tmp_path)) == len(CASES)
    csv_file = tmp_path / "csv-file.yaml"
    csv_file.write_text(csv_file.read_text().replace("id: empty-file", "id: empty-text"))
    with pytest.raises(runner.CaseFileError, match="ids repeat"):
        runner.load_cases(tmp_path)
    csv_file.rename(tmp_path / "csv-file.yml")
    with pytest.raises(runner.CaseFileError, match="want exactly"):
        runner.load_cases(tmp_path)


# ---------------------------------------------------------------- through a real process

_SUBPROCESS = [
    "points-nan",
    "cp1258-bytes",
    "yaml-alias-bomb",
    "json-deeply-nested",
    "yaml-python-object",
    "cli-rate-scale-choice",
    "xlsx-formula-without-result",
    "survey-unit-letter-case",
]


@pytest.mark.parametrize("case_id", _SUBPROCESS)
def test_no_traceback_reaches_stderr_of_a_real_process(case_id: str, tmp_path: Path) -> None:
    (case,) = [c for c in CASES if c.id == case_id]
    argv = runner.cli_argv(case, tmp_path)
    assert argv is not None
    proc = subprocess.run(
        [sys.executable, "-m", "parindex", *argv],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "", "PYTHONIOENCODING": "utf-8"},
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.splitlines()) == 1, proc.stderr
    for fragment in case.fragments:
        assert fragment in proc.stderr


BOUNDED = [c for c in CASES if c.options.get("bounded")]
# The child caps its own address space before it imports parindex (no preexec_fn: the
# test process runs the HTTP server's thread).
_BOUNDED_CHILD = (
    "import resource, runpy, sys\n"
    "size = int(sys.argv.pop(1)) * 1024 * 1024\n"
    "resource.setrlimit(resource.RLIMIT_AS, (size, size))\n"
    "sys.argv[0] = 'parindex'\n"
    "runpy.run_module('parindex', run_name='__main__', alter_sys=True)\n"
)


@pytest.mark.parametrize("case", BOUNDED, ids=[c.id for c in BOUNDED])
def test_a_limit_stops_a_bounded_child_process(case: Case, tmp_path: Path) -> None:
    """Under RLIMIT_AS and a timeout, the library's own limit answers first: exit 2."""
    argv = runner.cli_argv(case, tmp_path)
    assert argv is not None
    bounded = case.options["bounded"]
    proc = subprocess.run(
        [sys.executable, "-c", _BOUNDED_CHILD, str(bounded["memory_mb"]), *argv],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "", "PYTHONIOENCODING": "utf-8"},
        timeout=bounded["seconds"],
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "MemoryError" not in proc.stderr
    assert len(proc.stderr.splitlines()) == 1, proc.stderr
    for fragment in case.fragments:
        assert fragment in proc.stderr


# ---------------------------------------------------------------- odd but valid input

_DAKLAK = (ROOT / "examples" / "daklak-2017.csv").read_text(encoding="utf-8")
# Published: Đắk Lắk PAR INDEX 2017 = 75.37 (see examples/daklak-2017.csv and
# shared/reference/results beside the project for the source URL).
WORKING: list[tuple[str, bytes, dict[str, Any], float]] = [
    ("bom", b"\xef\xbb\xbf" + _DAKLAK.encode(), {}, 75.37),
    ("crlf", _DAKLAK.replace("\n", "\r\n").encode(), {}, 75.37),
    ("bom-and-crlf", b"\xef\xbb\xbf" + _DAKLAK.replace("\n", "\r\n").encode(), {}, 75.37),
    ("nfd-names", unicodedata.normalize("NFD", _DAKLAK).encode(), {}, 75.37),
    (
        "decimal-comma-stated",
        _DAKLAK.replace("5.5,", '"5,5",').replace("8.16,", '"8,16",').encode(),
        {"decimal_comma": True},
        75.37,
    ),
]


@pytest.mark.parametrize(("name", "data", "opts", "index"), WORKING, ids=[w[0] for w in WORKING])
def test_odd_but_valid_input_works(
    name: str, data: bytes, opts: dict[str, Any], index: float, tmp_path: Path
) -> None:
    path = runner.write(tmp_path, "sheet.csv", data)
    result = parindex.score("province-2017", load_sheet(path, **opts))
    assert parindex.round_half_up(result.unit(DAK).total.index) == index
    assert parindex.round_half_up(result.unit(DAK_NFD).total.index) == index
    flags = ["--decimal-comma"] if opts.get("decimal_comma") else []
    status, out, err = runner.run_cli(
        ["score", "-m", "province-2017", "--format", "json", *flags, str(path)]
    )
    assert (status, err) == (0, "")
    assert json.loads(out)["units"][0]["index"] == pytest.approx(index, abs=1e-9)


def _scored(sheet: ScoreSheet, **kw: Any) -> parindex.Scores:
    return parindex.score(M, sheet, missing="zero", **kw)


def test_rates_work_once_the_scale_is_stated() -> None:
    sheet = ScoreSheet.from_records([{"unit": "A", "node": "1.1.2", "value": 97}])
    node = _scored(sheet, rate_scale="percent").unit("A").nodes["1.1.2"]
    assert node.points == 2.0  # 80 % <= 97 % < 100 %: 2 points
    sheet = ScoreSheet.from_records([{"unit": "A", "node": "1.1.2", "value": 0.97}])
    assert _scored(sheet, rate_scale="fraction").unit("A").nodes["1.1.2"].points == 2.0
    sheet = ScoreSheet.from_records([{"unit": "A", "node": "1.1.2", "value": "97%"}])
    assert _scored(sheet).unit("A").nodes["1.1.2"].points == 2.0


def test_methodology_file_with_bom_and_crlf_loads(tmp_path: Path) -> None:
    m = parindex.get_methodology(M)
    text = parindex.io.methodology.dump_methodology(m).replace("\n", "\r\n")
    path = runner.write(tmp_path, "m.yaml", b"\xef\xbb\xbf" + text.encode())
    assert parindex.load_methodology(path) == m
    status, _, err = runner.run_cli(["validate", str(path)])
    assert (status, err) == (0, "")
