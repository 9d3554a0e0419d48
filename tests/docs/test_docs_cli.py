"""Every command-line example in the docs runs, and prints what the docs show.

The shell blocks (```` ```console ```` and ```` ```sh ````) of ``docs/**/*.md`` and
``README.md`` are read as a terminal shows them. In a console block ``$ command`` is a
command (continued by a trailing backslash, or by the body of a heredoc) and the lines
up to the next ``$`` are its output; an sh block holds commands only.

Each ``&&`` step of a command that calls ``parindex`` runs through ``/bin/sh``, where
``parindex`` (and ``.venv/bin/parindex``) is ``sys.executable -m parindex``, so pipes
and redirections work as shown; steps that install or build (``pip``, ``python3 -m
venv``, ``mkdocs``, ``jupyter``, ``curl``) do not run. A page's commands run in page
order in a temporary folder where ``examples/`` and ``src/`` are the repository's own:
paths read as from the repository root, and the files the commands write stay out of
the checkout.

Shown output is compared with stdout and stderr together, trailing whitespace ignored
and ``...`` matching anything (as doctest's ELLIPSIS). Every command must exit 0. A
``parindex`` command that cannot run here is listed in ``NOT_RUN`` with the reason; a
listed command the docs no longer show fails the test.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

import parindex

ROOT = Path(__file__).resolve().parents[2]
PAGES = [*sorted((ROOT / "docs").rglob("*.md")), ROOT / "README.md"]
CONSOLE = {"console", "shell-session"}
SHELL = CONSOLE | {"sh", "bash", "shell"}

_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})\s*(?P<lang>[\w+-]*)")
_HEREDOC = re.compile(r"<<-?\s*(?P<quote>['\"]?)(?P<word>\w+)(?P=quote)")
_PARINDEX_LINE = re.compile(r"^(\$ )?(\S*/)?parindex\s")

# (page, first line of the command as shown) -> why it does not run here.
NOT_RUN: dict[tuple[str, str], str] = {
    ("README.md", "parindex methodologies [--format table|json]"): "a usage synopsis",
    (
        "README.md",
        "parindex score --methodology province-2017 FILE.csv [--format table|csv|json] [--ties min|dense|average|first|max] [--units resolve|free] [--lang vi|en]",
    ): "a usage synopsis",
    ("README.md", "parindex validate my-province-set.yaml"): "a placeholder for your file",
    (
        "README.md",
        "parindex complete province-2022 annex.csv -o province-2022-complete.yaml",
    ): "annex.csv stands for the official annex, which is not shipped",
    (
        "README.md",
        "parindex score --methodology province-2017 sheet.xlsx",
    ): "the template must be filled in first (tests/cli/test_cli_inputs.py scores a filled one)",
    ("README.md", "parindex serve --port 8765"): "serves until stopped (tests/test_service.py)",
    (
        "docs/how-to/backend.md",
        "cat sheet.json | parindex score -m province-2017 - --format json",
    ): "sheet.json stands for the calling application's sheet (tests/test_cli.py reads stdin)",
    (
        "docs/how-to/backend.md",
        "parindex serve --host 127.0.0.1 --port 8000",
    ): "serves until stopped (tests/test_service.py)",
    (
        "docs/how-to/complete-a-methodology.md",
        "parindex complete province-2022 bang2.csv -o province-2022-full.yaml",
    ): "bang2.csv stands for the official annex, which is not shipped",
    (
        "docs/how-to/complete-a-methodology.md",
        "parindex complete province-2022 bang2.xlsx --accept-table --source-url https://... -o out.yaml",
    ): "bang2.xlsx stands for the official annex, which is not shipped",
    (
        "docs/how-to/complete-a-methodology.md",
        "parindex validate province-2022-full.yaml",
    ): "reads the file the skipped `parindex complete` above writes",
    (
        "docs/how-to/excel.md",
        "parindex read-excel daklak-2017.xlsx > daklak-2017.csv",
    ): "the workbook is filled in by hand first (step 2; tests/test_excel.py reads one)",
    (
        "docs/how-to/excel.md",
        "parindex score -m province-2017 daklak-2017.csv",
    ): "reads the CSV the skipped read-excel above writes",
    (
        "docs/how-to/score-a-sheet.md",
        "parindex score -m illustrative-district --format csv --collect-all my-district.csv > results.csv",
    ): "my-district.csv stands for the reader's own sheet",
    (
        "docs/how-to/score-a-sheet.md",
        "parindex score -m illustrative-district --rate-scale percent --decimal-comma my-district.csv",
    ): "my-district.csv stands for the reader's own sheet",
}


@attrs.frozen
class Command:
    """One command shown in a shell block, with the output shown after it (if any)."""

    page: str
    line: int
    shown: str  # the first line, as NOT_RUN names it
    text: str  # the command line, continuation lines included
    heredoc: str  # the heredoc's body and end word, or ""
    output: str | None


def _blocks(text: str) -> Iterator[tuple[str, int, list[str]]]:
    """(language, line number of the first body line, body lines) of each fenced block."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if m is None:
            i += 1
            continue
        indent, fence = len(m["indent"]), m["fence"]
        j = i + 1
        while j < len(lines) and not lines[j].strip().startswith(fence):
            j += 1
        yield m["lang"], i + 2, [line[indent:] for line in lines[i + 1 : j]]
        i = j + 1


def _take_command(body: list[str], i: int) -> tuple[list[str], list[str] | None, int]:
    """The lines of the command starting at ``body[i]``, its heredoc lines (None if the
    heredoc does not end), and the index after them."""
    lines = [body[i].removeprefix("$ ")]
    i += 1
    while lines[-1].endswith("\\") and i < len(body):
        lines.append(body[i].removeprefix("> "))
        i += 1
    heredoc = _HEREDOC.search(" ".join(lines))
    if heredoc is None:
        return lines, [], i
    if heredoc["word"] not in body[i:]:
        return lines, None, len(body)
    end = body.index(heredoc["word"], i)
    return lines, body[i : end + 1], end + 1


def _commands(
    page: str, lang: str, start: int, body: list[str], problems: list[str]
) -> Iterator[Command]:
    i = 0
    while i < len(body):
        line = body[i]
        if lang in CONSOLE and not line.startswith("$ "):
            if line.strip():
                problems.append(f"{page}:{start + i}: output before any `$ ` command: {line}")
            i += 1
            continue
        if not line.strip() or line.startswith("#"):  # an sh block's blank or comment line
            i += 1
            continue
        first = i
        lines, heredoc, i = _take_command(body, i)
        if heredoc is None:
            problems.append(f"{page}:{start + first}: the heredoc does not end: {lines[0]}")
            continue
        output: list[str] = []
        while lang in CONSOLE and i < len(body) and not body[i].startswith("$ "):
            output.append(body[i])
            i += 1
        text = "\n".join(output).strip("\n")
        yield Command(
            page, start + first, lines[0], "\n".join(lines), "\n".join(heredoc), text or None
        )


def _page_commands(path: Path, problems: list[str]) -> list[Command]:
    page = path.relative_to(ROOT).as_posix()
    blocks = _blocks(path.read_text(encoding="utf-8"))
    return [
        c
        for lang, n, body in blocks
        if lang in SHELL
        for c in _commands(page, lang, n, body, problems)
    ]


# What the pages show that cannot be read as commands (output before any command, a
# heredoc without its end), found while reading them.
PROBLEMS: list[str] = []
COMMANDS = {p.relative_to(ROOT).as_posix(): _page_commands(p, PROBLEMS) for p in PAGES}


def _calls_parindex(step: str) -> bool:
    lexer = shlex.shlex(step, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    stage: list[str] = []
    for token in [*lexer, "|"]:
        if token in {"|", ";", "&"} or not token.strip("|;&<>()"):
            if stage and Path(stage[0]).name == "parindex":
                return True
            stage = []
        elif "=" not in token or stage:  # skip VAR=value before the command word
            stage.append(token)
    return False


def _runnable(command: Command) -> str | None:
    """The ``&&`` steps of the command that call parindex, or None if there are none."""
    line = command.text.replace("\\\n", " ")  # the shell joins continued lines too
    steps = [s for s in re.split(r"\s&&\s", line) if _calls_parindex(s)]
    if not steps:
        return None
    return " && ".join(steps) + (f"\n{command.heredoc}" if command.heredoc else "")


def _normalise(text: str) -> str:
    lines = [line.rstrip() for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def _matches(shown: str, got: str) -> bool:
    pattern = ".*?".join(re.escape(part) for part in _normalise(shown).split("..."))
    return re.fullmatch(pattern, _normalise(got), re.DOTALL) is not None


def _workdir(folder: Path) -> dict[str, str]:
    """Make ``folder`` look like the repository root; the environment to run in."""
    for name in ("examples", "src"):
        (folder / name).symlink_to(ROOT / name, target_is_directory=True)
    script = f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m parindex "$@"\n'
    for bin_dir in (folder / "bin", folder / ".venv" / "bin"):
        bin_dir.mkdir(parents=True)
        (bin_dir / "parindex").write_text(script, encoding="utf-8")
        (bin_dir / "parindex").chmod(0o755)
    # The parindex under test, whatever the working directory.
    package_root = str(Path(parindex.__file__).resolve().parent.parent)
    python_path = os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH")) if p)
    path = os.pathsep.join([str(folder / "bin"), os.environ.get("PATH", "")])
    return {**os.environ, "PATH": path, "PYTHONPATH": python_path, "PYTHONUTF8": "1"}


def _check(command: Command, folder: Path, env: dict[str, str]) -> None:
    """Run the command's parindex steps in ``folder``; it must exit 0 and print what is shown."""
    run = _runnable(command)
    assert run is not None
    proc = subprocess.run(
        ["/bin/sh", "-c", run],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )
    where = f"{command.page}:{command.line}: {command.shown}"
    assert proc.returncode == 0, f"{where}\nexit status {proc.returncode}\n{proc.stdout}"
    if command.output is not None:
        assert _matches(command.output, proc.stdout), (
            f"{where}\n--- the docs show\n{command.output}\n--- it prints\n"
            f"{_normalise(proc.stdout)}"
        )


@pytest.mark.parametrize("page", [p for p, cs in COMMANDS.items() if cs])
def test_commands_run_and_print_what_the_docs_show(page: str, tmp_path: Path) -> None:
    env = _workdir(tmp_path)
    for command in COMMANDS[page]:
        if _runnable(command) is not None and (page, command.shown) not in NOT_RUN:
            _check(command, tmp_path, env)


def test_a_heredoc_is_the_command_s_standard_input(tmp_path: Path) -> None:
    # No page shows one yet; this is how one would be read and run.
    body = [
        "$ parindex score -m province-2017 --units free --format csv - <<'EOF'",
        "unit,node,points",
        *(f"X,{n},1" for n in range(1, 9)),
        "EOF",
        "unit,unit_code,given_name,group,node,kind,depth,points,max_points,par_index,status,...",
        "X,,X,,total,total,0,8.0,100.0,8.0,scored,,,1,",
        "...",
    ]
    problems: list[str] = []
    [command] = _commands("example.md", "console", 1, body, problems)
    assert problems == []
    assert command.heredoc.endswith("X,8,1\nEOF")
    _check(command, tmp_path, _workdir(tmp_path))


def test_the_commands_are_found() -> None:
    assert PROBLEMS == []
    started = {c.shown: c for c in COMMANDS["docs/getting-started.md"]}
    command = started["parindex score -m province-2017 examples/daklak-2017.csv"]
    assert command.output is not None
    assert any(line.startswith("Đắk Lắk  55.00") for line in command.output.splitlines())
    assert _runnable(command) == command.text
    pip = next(c for c in COMMANDS["docs/index.md"] if c.shown.startswith("pip install"))
    assert _runnable(pip) is None
    quick_start = next(c for c in COMMANDS["README.md"] if "binhduong-district-2017" in c.shown)
    assert _runnable(quick_start) == (
        ".venv/bin/parindex score --methodology binhduong-district-2017"
        " examples/binhduong-district-2017.csv"
    )


def test_every_listed_command_is_in_the_docs() -> None:
    shown = {(c.page, c.shown): c for cs in COMMANDS.values() for c in cs}
    assert sorted(k for k in NOT_RUN if k not in shown) == []
    assert [k for k in NOT_RUN if _runnable(shown[k]) is None] == []  # not run anyway


def test_no_command_hides_in_another_kind_of_block() -> None:
    # A command in a ```text block would escape the test above: show it as console.
    hidden = [
        f"{path.relative_to(ROOT)}:{n + k}"
        for path in PAGES
        for lang, n, body in _blocks(path.read_text(encoding="utf-8"))
        if lang not in SHELL
        for k, line in enumerate(body)
        if _PARINDEX_LINE.match(line.strip())
    ]
    assert hidden == []


def test_output_is_compared_with_an_ellipsis_and_trailing_space_ignored() -> None:
    assert _matches("a\n...\nz", "a  \nb\nc\nz\n\n")
    assert _matches("rank ... band", "rank  unit  band")
    assert not _matches("a\nz", "a\nb\nz")
    assert not _matches("75.37", "75.38")
