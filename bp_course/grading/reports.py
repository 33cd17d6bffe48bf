"""The grader's reports: a terminal table, a gradebook CSV, feedback per student, autograder JSON.

Hidden checks appear by count only ("3 of 3 hidden checks passed"), never
with their inputs, so feedback can go to students as it is.
"""

from __future__ import annotations

import csv
import html
import json
import platform
import re
from importlib import metadata
from pathlib import Path

from bp_course.grading.sandbox import UNSANDBOXED_WARNING

__all__ = ["versions", "table", "write_gradebook", "feedback_markdown", "feedback_html", "autograder_json",
           "write_reports"]


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


def table(results) -> str:
    """A plain-text table: one row per student, points per exercise, the total (or the problem)."""
    exercises = _exercises(results)
    header = ["student", *exercises, "total", "notes"]
    rows = []
    for r in results:
        if r.problem:
            rows.append([r.student, *["-"] * len(exercises), "-", r.problem])
            continue
        got = {o.exercise: (_points(r.earned(o)) if o.status == "passed" else
                            {"timed out": "T", "crashed": "C", "missing": "M", "not attempted": "0",
                             "error": "E"}.get(o.status, "0")) for o in r.outcomes}
        notes = []
        if r.flags:
            notes.append("review: " + ", ".join(sorted(r.flags)))
        if r.warnings:
            notes.append(f"{len(r.warnings)} warning(s)")
        rows.append([r.student, *[got.get(e, "") for e in exercises],
                     f"{_points(r.score)}/{_points(r.max_score)}", "; ".join(notes)])
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(cell).ljust(w) for cell, w in zip(row, widths)).rstrip() for row in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append("(points per exercise; 0 failed or not attempted, E error, T timed out, C kernel crash, M missing)")
    if any(not r.sandboxed for r in results):
        banner = "!" * 100
        lines = [banner, "!!! " + UNSANDBOXED_WARNING, banner, *lines, banner]
    return "\n".join(lines)


def write_gradebook(results, path) -> None:
    """The class gradebook: one row per submission, points per exercise, total, maximum, flags, problems."""
    exercises = _exercises(results)
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["student", "file", "lesson", *exercises, "total", "max", "review", "problem", "sha256"])
        for r in results:
            points = {o.exercise: r.earned(o) for o in r.outcomes}
            writer.writerow([r.student, str(r.path), r.lesson or "", *[_points(points[e]) if e in points else ""
                                                                       for e in exercises],
                             _points(r.score) if not r.problem else "", _points(r.max_score) if r.worth else "",
                             "; ".join(f"{e}: {', '.join(v)}" for e, v in sorted(r.flags.items())),
                             r.problem or "", r.sha256])


def _status_line(result, outcome) -> str:
    hidden = ""
    if outcome.hidden is not None:
        hidden = f" ({outcome.hidden.passed} of {outcome.hidden.total} hidden checks passed)"
    return (f"{outcome.status}, {_points(result.earned(outcome))}/{_points(result.worth[outcome.exercise])} "
            f"points{hidden}")


def feedback_markdown(result, seed: int) -> str:
    """Feedback for one student, in Markdown."""
    lines = [f"# Feedback for {result.student}", ""]
    if not result.sandboxed:
        lines += ["# ⚠ UNSANDBOXED", "", f"**{UNSANDBOXED_WARNING}.**", ""]
    if result.lesson:
        lines += [f"Lesson {result.lesson}, file `{result.path.name}`.", ""]
    if result.problem:
        lines += ["", f"**This submission could not be graded:** {result.problem}", ""]
    else:
        lines += [f"**Total: {_points(result.score)} of {_points(result.max_score)} points.**", ""]
        if not result.outcomes:
            lines += ["No exercises were graded.", ""]
        for outcome in result.outcomes:
            lines.append(f"## Exercise {outcome.exercise}: {_status_line(result, outcome)}")
            lines.append("")
            if outcome.message:
                lines += ["```", outcome.message, "```", ""]
        if result.warnings:
            lines += ["## Notes", ""] + [f"- {w}" for w in result.warnings] + [""]
        if result.flags:
            lines += ["## For the instructor to review", ""]
            lines += [f"- exercise {e}: {', '.join(reasons)}" for e, reasons in sorted(result.flags.items())] + [""]
    lines += ["---", f"SHA-256 of the submission: `{result.sha256 or 'n/a'}`. Hidden-check seed {seed}. Graded with "
              + ", ".join(f"{k} {v}" for k, v in versions().items()) + "."]
    return "\n".join(lines) + "\n"


def _inline(text: str) -> str:
    text = html.escape(text)
    text = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", text)
    return re.sub(r"`(.+?)`", r"<code>\1</code>", text)


def feedback_html(result, seed: int) -> str:
    """The same feedback as a small standalone HTML page (rendered here: the Markdown uses few constructs)."""
    body, paragraph, code = [], [], None
    for line in feedback_markdown(result, seed).splitlines():
        if code is not None:
            if line == "```":
                body.append("<pre>" + html.escape("\n".join(code)) + "</pre>")
                code = None
            else:
                code.append(line)
            continue
        if paragraph and (not line or line.startswith(("#", "```", "---", "- "))):
            body.append("<p>" + "<br>\n".join(_inline(p) for p in paragraph) + "</p>")
            paragraph = []
        if line == "```":
            code = []
        elif line.startswith("## "):
            body.append(f"<h2>{_inline(line[3:])}</h2>")
        elif line.startswith("# "):
            body.append(f"<h1>{_inline(line[2:])}</h1>")
        elif line == "---":
            body.append("<hr>")
        elif line.startswith("- "):
            body.append(f"<li>{_inline(line[2:])}</li>")
        elif line:
            paragraph.append(line)
    if paragraph:
        body.append("<p>" + "<br>\n".join(_inline(p) for p in paragraph) + "</p>")
    return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Feedback for "
            f"{html.escape(result.student)}</title></head>\n<body>\n" + "\n".join(body) + "\n</body></html>\n")


def autograder_json(result, seed: int) -> dict:
    """The result in the shape common autograder platforms read: a ``tests`` list with name, score, max_score, output."""
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
                       "student": result.student, "file": str(result.path), "lesson": result.lesson,
                       "sha256": result.sha256, "seed": seed, "versions": versions(),
                       "warnings": result.warnings, "review": result.flags},
    }


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name) or "student"


def write_reports(results, out, seed: int, feedback: str = "md") -> Path:
    """Write ``gradebook.csv``, ``feedback/<student>.md`` (or ``.html``) and ``results/<student>.json`` under ``out``."""
    out = Path(out)
    (out / "feedback").mkdir(parents=True, exist_ok=True)
    (out / "results").mkdir(parents=True, exist_ok=True)
    write_gradebook(results, out / "gradebook.csv")
    for result in results:
        name = _safe(result.student)
        if feedback == "html":
            (out / "feedback" / f"{name}.html").write_text(feedback_html(result, seed), encoding="utf-8")
        else:
            (out / "feedback" / f"{name}.md").write_text(feedback_markdown(result, seed), encoding="utf-8")
        (out / "results" / f"{name}.json").write_text(json.dumps(autograder_json(result, seed), indent=1) + "\n",
                                                      encoding="utf-8")
    return out
