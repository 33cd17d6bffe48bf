"""Student text made safe for the grader's reports: terminal, CSV, Markdown, HTML, file names.

Everything a report shows about a submission can be chosen by the student:
the file name (hence the student's name), the messages a check or an error
prints, the names in the answer code. None of it may act as anything but
text: an escape code must not redraw the instructor's terminal, a cell must
not run as a spreadsheet formula, a message must not close the Markdown
code block it sits in, a name must not pick the file the report is written
to. And nothing the grader knows but the student should not (its
environment, its command line, another submission's path or answers) may
reach a student's feedback through a message: :class:`Redactor` removes it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import unicodedata

__all__ = ["WITHHELD", "printable", "csv_cell", "md_text", "md_code_span", "md_code_block", "file_stem", "name_key",
           "Redactor"]

_UNSEEN = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
"""Unicode categories with no glyph of their own: controls (ESC, newline), format (bidi overrides, zero width)."""

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_FORMULA_START = tuple("=+-@\t\r\n") + ("\uff1d", "\uff0b", "\uff0d", "\uff20")
"""What makes a spreadsheet read a cell as a formula (OWASP's list, and the full-width forms)."""

_MD_ACTIVE = re.compile(r"([\\`*_\[\]<>#|~&!{}])")
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{k}" for k in range(1, 10)),
                     *(f"LPT{k}" for k in range(1, 10))}
_MAX_STEM = 60


def printable(text, keep: str = "") -> str:
    r"""``text`` with every invisible character (controls, ESC, newlines, bidi overrides) written as an escape.

    Parameters
    ----------
    text : object
        Converted with ``str``.
    keep : str
        Characters left as they are (``"\n\t"`` for the body of a code block).

    Examples
    --------
    >>> printable("bob\x1b[2K\nalice  3/3")
    'bob\\x1b[2K\\nalice  3/3'
    """
    out = []
    for char in str(text):
        if char in keep or unicodedata.category(char) not in _UNSEEN:
            out.append(char)
        elif char in _NAMED:
            out.append(_NAMED[char])
        elif ord(char) < 0x100:
            out.append(f"\\x{ord(char):02x}")
        elif ord(char) < 0x10000:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(f"\\U{ord(char):08x}")
    return "".join(out)


def csv_cell(value) -> str:
    """A gradebook cell that a spreadsheet shows as text: a leading ``=``, ``+``, ``-``, ``@`` gets a ``'``."""
    raw = str(value)
    text = printable(raw)
    return "'" + text if raw.startswith(_FORMULA_START) or text.startswith(_FORMULA_START) else text


def md_text(text) -> str:
    """Text for a Markdown line, its active characters backslash-escaped (it renders as itself)."""
    return _MD_ACTIVE.sub(r"\\\1", printable(text))


def _longest_run(text: str, char: str) -> int:
    return max((len(run) for run in re.findall(f"{re.escape(char)}+", text)), default=0)


def md_code_span(text) -> str:
    """An inline code span holding ``text``, delimited by more backticks than any run inside it."""
    text = printable(text)
    ticks = "`" * (_longest_run(text, "`") + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def md_code_block(text) -> list:
    """The lines of a fenced code block holding ``text``: no line inside can close the fence."""
    text = printable(text, keep="\n\t")
    fence = "`" * max(3, _longest_run(text, "`") + 1)
    return [fence, *text.split("\n"), fence]


def file_stem(name: str) -> str:
    """A file name (without extension) for a student's reports: letters, digits, ``.``, ``_``, ``-`` only.

    Letters of every script are kept (``jörg`` and ``jürg`` stay apart);
    anything else becomes ``_``. No leading dot, no Windows device name, and
    a long name is cut and given a hash of the whole, so it stays distinct.
    Two names can still share a stem (``a b`` and ``a_b``): :func:`name_key`
    tells, and the batch gives such names a suffix.
    """
    stem = "".join(c if c.isalnum() or c in "._-" else "_" for c in unicodedata.normalize("NFC", name))
    stem = stem.lstrip(".") or "student"
    if stem.split(".")[0].upper() in _WINDOWS_RESERVED:
        stem = "_" + stem
    if len(stem) > _MAX_STEM:
        stem = stem[:_MAX_STEM - 9] + "-" + hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return stem


def name_key(name: str) -> str:
    """What two student names must not share: their report file stem, compared as a case-insensitive file system would."""
    return unicodedata.normalize("NFKC", file_stem(name)).casefold()


_ABSOLUTE_PATH = re.compile(r"(?<![\w)\]}.*/\\])(?:~|[A-Za-z]:)?[/\\](?:[\w.@%+~-]+[/\\])+[\w.@%+~-]*")


WITHHELD = ("[the grader withheld this message: it held text of another submission or of the reference answers, or "
            "the grader's seed]")
"""What a student sees in place of a message that held a classmate's text, a reference answer's or the seed
(:class:`Redactor`)."""


class Redactor:
    """Removes what the grader knows from a student's messages: secrets, paths, classmates' and reference answers.

    A student's code runs in a kernel that, without a sandbox, can read the
    grader's environment, the command lines of its parent processes and
    other students' files, and can put what it read into an error message
    that ends up in its own feedback. A redactor withholds a message whole
    when it holds a classmate's text or the seed (so guesses printed by a
    student's code cannot be told apart), and replaces, where it occurs:

    * every value of the grader's environment of 8 characters or more, its
      command line (joined by spaces or NULs, as ``/proc/PID/cmdline`` has
      it) and each argument of it that is a path or 8 characters long;
    * any absolute file path (``/home/...``, ``C:\\...``).

    Parameters
    ----------
    environ : mapping
        The grader's environment.
    argv : list of lists of str
        The grader's command lines (``sys.argv``, ``sys.orig_argv``).
    seed : int or None
    paths : dict
        ``{student: [path strings]}`` of every submission.
    answers : dict
        ``{student: [answer sources]}``: a line of 12 characters or more of
        another student's answers, in neither this student's own answers nor
        the released lesson, withholds the message; so does another
        submission's path, and the seed (it would let a student rebuild the
        hidden checks).
    public : iterable of str
        Text every student has (the released lessons' sources).
    reference : iterable of str
        The reference answers' sources: a line of 12 characters or more of
        them, in neither this student's own answers nor the released lesson,
        withholds the message too. The grader restores each exercise's
        reference in the kernel after its check, so a later answer cell can
        read it (``inspect.getsource``, ``linecache``) and raise it as an
        error message; on Gradescope that message is the student's feedback
        at once, and the next submission could paste it.
    """

    def __init__(self, *, environ=None, argv=(), seed=None, paths=None, answers=None, public=(), reference=()):
        environ = os.environ if environ is None else environ
        self._common = {v for v in environ.values() if len(v) >= 8}
        for line in argv:
            self._common |= {a for a in line if len(a) >= 8 or "/" in a or "\\" in a}
            self._common |= {sep.join(part) for sep in " \0" for part in (line, line[1:]) if len(sep.join(part)) >= 8}
        self._common.discard("")
        self._seed = re.compile(rf"(?<!\d){seed}(?!\d)") if seed is not None and len(str(seed)) >= 6 else None
        public_lines = {line.strip() for source in public for line in source.splitlines()}
        self._paths = {s: {p for p in found if p} for s, found in (paths or {}).items()}
        def telling(sources):  # the lines long enough to identify where they came from, less the lessons' own
            return {line.strip() for source in sources for line in source.splitlines()
                    if len(line.strip()) >= 12} - public_lines

        self._lines = {s: telling(sources) for s, sources in (answers or {}).items()}
        self._reference = telling(reference)

    def secrets_for(self, student: str) -> tuple:
        """What ``student``'s messages must not show: ``(classmates' lines and paths, the grader's strings)``, longest first."""
        others = set()
        own_lines = self._lines.get(student, set())
        foreign = set(self._reference)
        for other, lines in self._lines.items():
            if other != student:
                foreign |= lines
        for line in foreign - own_lines:
            others |= {line, json.dumps(line)[1:-1]}
        for other, paths in self._paths.items():
            if other != student:
                others |= paths
        return sorted(others, key=len, reverse=True), sorted(self._common, key=len, reverse=True)

    def __call__(self, text: str, student: str, secrets=None) -> str:
        """``text`` (a message shown to ``student``) without what they must not see.

        A message holding a classmate's text or path, or the seed, is
        withheld whole (:data:`WITHHELD`): replacing only the match would
        tell a student which of the guesses their code printed was right.
        The grader's own environment and command line are replaced where
        they occur (``[redacted]``: a home folder is in many a traceback),
        and so is any absolute path (``[path]``).
        """
        others, common = self.secrets_for(student) if secrets is None else secrets
        if any(secret in text for secret in others) or self._seed is not None and self._seed.search(text):
            return WITHHELD
        for secret in common:  # whole command lines first
            if secret in text:
                text = text.replace(secret, "[redacted]")
        return _ABSOLUTE_PATH.sub("[path]", text)
