"""The grader's reports: a terminal table, a gradebook CSV, feedback per student, autograder JSON.

Hidden checks appear by count only ("3 of 3 hidden checks passed"), never
with their inputs or their seed, so feedback can go to students as it is;
the seed is in the gradebook, which is the instructor's.

Reports are data, not code: everything a student chose (a file name, a
message, a name in their code) is escaped for where it lands
(:mod:`bp_course.grading.safetext`): no escape codes in the table, no
formulas in the CSV, no Markdown or HTML structure in the feedback, and
report files only ever written inside the output folder, never through a
symbolic link.
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
import platform
import tempfile
from importlib import metadata
from pathlib import Path

from bp_course.grading.safetext import csv_cell, file_stem, md_code_block, md_code_span, md_text, name_key, printable
from bp_course.grading.sandbox import UNSANDBOXED_WARNING

__all__ = ["ReportError", "versions", "table", "write_gradebook", "feedback_markdown", "feedback_html",
           "autograder_json", "prepare", "report_stems", "write_reports"]


class ReportError(OSError):
    """The reports cannot be written safely (a symbolic link where a report folder or file belongs)."""


def versions() -> dict:
    """Versions of Python and of the packages that decide a grade."""
    found = {"python": platform.python_version()}
    for package in ("bp-course", "numpy", "sympy", "nbval", "pytest", "ipykernel"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "not installed"
    return found


def _exercises(results) -> list:
    seen = {}
    for result in results:
        for exercise in result.worth:
            seen.setdefault(exercise, None)
    return sorted(seen)


def _points(value) -> str:
    return f"{value:g}"


def _file(result) -> str:
    return getattr(result, "file", "") or printable(Path(result.path).name)


def table(results) -> str:
    """A plain-text table: one row per student, points per exercise, the total (or the problem).

    Every cell is :func:`~bp_course.grading.safetext.printable`: an escape
    code or a newline in a file name shows as ``\\x1b`` or ``\\n``, never
    moves the cursor or starts a row of its own.
    """
    exercises = _exercises(results)
    header = ["student", "file", *exercises, "total", "notes"]
    rows = []
    for r in results:
        if r.problem:
            rows.append([r.student, _file(r), *["-"] * len(exercises), "-", r.problem])
            continue
        got = {o.exercise: (_points(r.earned(o)) if o.status == "passed" else
                            {"timed out": "T", "crashed": "C", "missing": "M", "not attempted": "0",
                             "error": "E", "held": "H"}.get(o.status, "0")) for o in r.outcomes}
        notes = []
        if r.flags:
            notes.append("review: " + ", ".join(sorted(r.flags)))
        if r.warnings:
            notes.append(f"{len(r.warnings)} warning(s)")
        rows.append([r.student, _file(r), *[got.get(e, "") for e in exercises],
                     f"{_points(r.score)}/{_points(r.max_score)}", "; ".join(notes)])
    rows = [[printable(cell) for cell in row] for row in rows]  # one line per row, whatever a name holds
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(cell).ljust(w) for cell, w in zip(row, widths)).rstrip() for row in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append("(points per exercise; 0 failed or not attempted, E error, T timed out, C kernel crash, M missing, "
                 "H passed but held for review: see notes, and --accept-flagged)")
    if any(not r.sandboxed for r in results):
        banner = "!" * 100
        lines = [banner, "!!! " + UNSANDBOXED_WARNING, banner, *lines, banner]
    return "\n".join(lines)


def gradebook_csv(results, seed=None) -> str:
    """The class gradebook as CSV text: one row per submission, every cell safe to open in a spreadsheet.

    Columns: student, file (as the instructor passed it), lesson, points per
    exercise, total, max, review (flags), problem, sha256 (of the bytes
    graded) and seed (of the hidden checks, for a regrade with the same
    inputs). A cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a
    carriage return gets a leading ``'`` (:func:`~bp_course.grading.safetext.csv_cell`).
    """
    exercises = _exercises(results)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(["student", "file", "lesson", *exercises, "total", "max", "review", "problem", "sha256", "seed"])
    for r in results:
        points = {o.exercise: r.earned(o) for o in r.outcomes}
        row = [r.student, str(r.path), r.lesson or "", *[_points(points[e]) if e in points else "" for e in exercises],
               _points(r.score) if not r.problem else "", _points(r.max_score) if r.worth else "",
               "; ".join(f"{e}: {', '.join(v)}" for e, v in sorted(r.flags.items())), r.problem or "", r.sha256,
               "" if seed is None else seed]
        writer.writerow([csv_cell(cell) for cell in row])
    return buffer.getvalue()


def write_gradebook(results, path, seed=None) -> None:
    """Write :func:`gradebook_csv` to ``path`` (replacing a symbolic link there, never writing through it)."""
    path = Path(path)
    _write(path.parent, path.name, gradebook_csv(results, seed))


def _status_line(result, outcome) -> str:
    hidden = ""
    if outcome.hidden is not None:
        hidden = f" ({outcome.hidden.passed} of {outcome.hidden.total} hidden checks passed)"
    return (f"{outcome.status}, {_points(result.earned(outcome))}/{_points(result.worth[outcome.exercise])} "
            f"points{hidden}")


def _feedback_blocks(result) -> list:
    """The feedback as blocks, each ``(kind, content)``; what a student chose is kept apart from the grader's text.

    Kinds: ``h1``, ``h2``, ``p``, ``li`` (content: a list of ``(style, text)``
    with style ``raw`` for the grader's own words, ``text`` for anything
    else, ``strong`` and ``code``), ``pre`` (a message) and ``hr``.
    """
    blocks = [("h1", [("raw", "Feedback for "), ("text", result.student)])]
    if not result.sandboxed:
        blocks += [("h1", [("raw", "⚠ UNSANDBOXED")]), ("p", [("strong", UNSANDBOXED_WARNING + ".")])]
    where = [("raw", "File "), ("code", _file(result))]
    if result.lesson:
        where = [("raw", f"Lesson {result.lesson}, file "), ("code", _file(result))]
    blocks.append(("p", where + [("raw", ".")]))
    if result.problem:
        blocks.append(("p", [("strong", "This submission could not be graded:"), ("raw", " "),
                             ("text", result.problem)]))
    else:
        blocks.append(("p", [("strong", f"Total: {_points(result.score)} of {_points(result.max_score)} points.")]))
        if not result.outcomes:
            blocks.append(("p", [("raw", "No exercises were graded.")]))
        for outcome in result.outcomes:
            blocks.append(("h2", [("raw", f"Exercise {outcome.exercise}: {_status_line(result, outcome)}")]))
            if outcome.message:
                blocks.append(("pre", outcome.message))
        if result.warnings:
            blocks.append(("h2", [("raw", "Notes")]))
            blocks += [("li", [("text", w)]) for w in result.warnings]
        if result.flags:
            blocks.append(("h2", [("raw", "For the instructor to review")]))
            blocks += [("li", [("raw", f"exercise {e}: "), ("text", ", ".join(reasons))])
                       for e, reasons in sorted(result.flags.items())]
    blocks.append(("hr", None))
    blocks.append(("p", [("raw", "SHA-256 of the submission: "), ("code", result.sha256 or "n/a"),
                         ("raw", ". Graded with " + ", ".join(f"{k} {v}" for k, v in versions().items()) + ".")]))
    return blocks


def _md_inline(parts) -> str:
    render = {"raw": str, "text": md_text, "strong": lambda t: f"**{t}**", "code": md_code_span}
    return "".join(render[style](text) for style, text in parts)


def feedback_markdown(result, seed=None) -> str:
    """Feedback for one student, in Markdown.

    Student text cannot change the document's structure: names and notes are
    backslash-escaped, a message sits in a code fence longer than any run of
    backticks inside it, invisible characters are escaped. The hidden
    checks' seed is not shown (``seed`` is accepted and ignored, for old callers).
    """
    lines = []
    for kind, content in _feedback_blocks(result):
        if kind != "li" and lines and lines[-1].startswith("- "):
            lines.append("")  # a list ends with a blank line
        if kind == "h1":
            lines += [f"# {_md_inline(content)}", ""]
        elif kind == "h2":
            lines += [f"## {_md_inline(content)}", ""]
        elif kind == "p":
            lines += [_md_inline(content), ""]
        elif kind == "li":
            lines.append(f"- {_md_inline(content)}")
        elif kind == "pre":
            lines += [*md_code_block(content), ""]
        elif kind == "hr":
            lines.append("---")
    return "\n".join(lines).rstrip("\n") + "\n"


def _html_inline(parts) -> str:
    render = {"raw": html.escape, "text": lambda t: html.escape(printable(t)),
              "strong": lambda t: f"<strong>{html.escape(t)}</strong>",
              "code": lambda t: f"<code>{html.escape(printable(t))}</code>"}
    return "".join(render[style](text) for style, text in parts)


def feedback_html(result, seed=None) -> str:
    """The same feedback as a small standalone HTML page, every piece of text escaped."""
    body, items = [], []
    for kind, content in _feedback_blocks(result):
        if kind != "li" and items:
            body.append("<ul>\n" + "\n".join(items) + "\n</ul>")
            items = []
        if kind in ("h1", "h2", "p"):
            body.append(f"<{kind}>{_html_inline(content)}</{kind}>")
        elif kind == "li":
            items.append(f"<li>{_html_inline(content)}</li>")
        elif kind == "pre":
            body.append("<pre>" + html.escape(printable(content, keep="\n\t")) + "</pre>")
        elif kind == "hr":
            body.append("<hr>")
    return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Feedback for "
            f"{html.escape(result.student)}</title></head>\n<body>\n" + "\n".join(body) + "\n</body></html>\n")


def autograder_json(result, seed=None) -> dict:
    """The result in the shape common autograder platforms read: a ``tests`` list with name, score, max_score, output.

    It may reach the student as it is, so it holds no seed (``seed`` is
    ignored) and the file only as :attr:`StudentResult.file`.
    """
    tests = [{"name": f"Exercise {o.exercise}", "score": result.earned(o),
              "max_score": result.worth[o.exercise], "status": "passed" if o.status == "passed" else "failed",
              "output": f"{_status_line(result, o)}\n{o.message}".strip()}
             for o in result.outcomes]
    return {
        "score": result.score if not result.problem else 0,
        "max_score": result.max_score,
        "output": result.problem or f"{_points(result.score)} of {_points(result.max_score)} points",
        "tests": tests,
        "extra_data": {"sandboxed": result.sandboxed,
                       **({} if result.sandboxed else {"UNSANDBOXED": UNSANDBOXED_WARNING}),
                       "student": result.student, "file": _file(result), "lesson": result.lesson,
                       "sha256": result.sha256, "versions": versions(),
                       "warnings": result.warnings, "review": result.flags},
    }


def prepare(out) -> Path:
    """Create the output folder and its ``feedback/`` and ``results/``; refuse symbolic links among them.

    ``out`` itself is the instructor's choice and may be a link; the folders
    inside it may not (a link there would send a student's report anywhere).
    Called before grading starts, so a bad ``--out`` costs no grading time.

    Raises
    ------
    ReportError
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for name in ("feedback", "results"):
        folder = out / name
        if folder.is_symlink() or folder.exists() and not folder.is_dir():
            raise ReportError(f"{folder} is a symbolic link or not a folder; refusing to write reports through it")
        folder.mkdir(exist_ok=True)
    return out


def _write(folder: Path, name: str, text: str) -> None:
    """Write ``folder/name`` through a new file renamed into place: a symbolic link there is replaced, never followed."""
    if name in ("", ".", "..") or "/" in name or "\\" in name or os.sep in name:
        raise ReportError(f"not a plain file name: {name!r}")
    descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=".partial-")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as file:
            file.write(text)
        os.replace(temporary, folder / name)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def report_stems(results) -> list:
    """The file stem of each result's reports: distinct, even on a case-insensitive file system.

    :func:`~bp_course.grading.batch.grade_all` already makes names unique;
    a clash left here (results built elsewhere) gets ``-2``, ``-3``...
    """
    stems, taken = [], set()
    for result in results:
        stem, extra = file_stem(result.student), 1
        while name_key(stem) in taken:
            extra += 1
            stem = f"{file_stem(result.student)}-{extra}"
        taken.add(name_key(stem))
        stems.append(stem)
    return stems


def write_reports(results, out, seed: int, feedback: str = "md") -> Path:
    """Write ``gradebook.csv``, ``feedback/<student>.md`` (or ``.html``) and ``results/<student>.json`` under ``out``.

    File names come from :func:`report_stems`; nothing is written outside
    ``out`` or through a symbolic link (:func:`prepare`, :func:`_write`).
    """
    out = prepare(out)
    write_gradebook(results, out / "gradebook.csv", seed)
    for result, stem in zip(results, report_stems(results)):
        if feedback == "html":
            _write(out / "feedback", f"{stem}.html", feedback_html(result))
        else:
            _write(out / "feedback", f"{stem}.md", feedback_markdown(result))
        _write(out / "results", f"{stem}.json", json.dumps(autograder_json(result), indent=1) + "\n")
    return out
