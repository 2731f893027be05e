"""Turn settings into the exact source a run executes, its diff and its export."""

import difflib
import inspect
import re
from dataclasses import dataclass

from kit import data as data_module
from kit.bugs import get_bug
from kit.i18n import KitError
from kit.stages import STAGE_IDS, get_stage

# Name under which compiled stage code runs; tracebacks are matched against it.
PROGRAM_FILENAME = "<kit-stage>"
_IMPORT_LINE = "from kit.data import make_data\n"


@dataclass(frozen=True)
class Program:
    """The code of one run.

    Attributes
    ----------
    settings : kit.settings.Settings
    source : str
        The code that runs, which is also the code on screen.
    base_source : str
        The same stage and settings with no bug injected.
    """

    settings: object
    source: str
    base_source: str

    def diff_lines(self, against=None):
        """Yield ``(tag, text, line)`` over the whole file.

        ``tag`` is ``" "`` (unchanged), ``"+"`` (added by a bug) or ``"-"``
        (removed by a bug), and ``line`` is the 1-based line number in
        ``source``, or None for removed lines. ``against`` defaults to
        ``base_source``.
        """
        old = (self.base_source if against is None else against).splitlines()
        new = self.source.splitlines()
        matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                for offset, text in enumerate(new[j1:j2]):
                    yield " ", text, j1 + offset + 1
                continue
            for text in old[i1:i2]:
                yield "-", text, None
            for offset, text in enumerate(new[j1:j2]):
                yield "+", text, j1 + offset + 1

    @property
    def changed_lines(self):
        """1-based numbers of the lines in ``source`` that the bugs added or changed."""
        return [line for tag, _, line in self.diff_lines() if tag == "+"]

    def unified_diff(self, against=None, context=3):
        """Return a ``diff -u`` style text of the bugs' changes."""
        old = self.base_source if against is None else against
        return "".join(
            difflib.unified_diff(
                old.splitlines(keepends=True),
                self.source.splitlines(keepends=True),
                fromfile=f"{self.settings.stage} (correct)",
                tofile=f"{self.settings.stage} ({', '.join(self.settings.bugs) or 'correct'})",
                n=context,
            )
        )

    def standalone(self):
        """Return the source as a script that runs with plain Python, without kit."""
        helper = inspect.getsource(data_module.make_data)
        bugs = ", ".join(self.settings.bugs) or "none"
        header = (
            f"# Exported by kit: stage {self.settings.stage}, injected bugs: {bugs}.\n"
            "# Needs numpy (and torch for the torch stages). Prints 'iteration loss' lines.\n"
        )
        inline = "import numpy as np\n\n\n" + helper + "\n\n"
        return header + self.source.replace(_IMPORT_LINE, inline, 1)


def previous_stage_source(settings):
    """Return the correct source of the stage before ``settings.stage``, or None for the first."""
    index = STAGE_IDS.index(settings.stage)
    if index == 0:
        return None
    previous = settings.__class__(
        stage=STAGE_IDS[index - 1],
        learning_rate=None,
        iterations=settings.iterations,
        seed=settings.seed,
        N=settings.N,
        D_in=settings.D_in,
        H=settings.H,
        D_out=settings.D_out,
        dtype=None,
    )
    return render_settings(previous)


def build_program(settings):
    """Return the :class:`Program` for validated ``settings``.

    Raises
    ------
    kit.i18n.KitError
        If two bugs edit the same code and so cannot be combined.
    """
    settings.validate()
    base = render_settings(settings)
    source = base
    applied = []
    for bug_id in settings.bugs:
        patched = _apply_bug(source, bug_id, settings)
        if patched is None:
            if not applied:
                raise KitError("errors.patch_failed", bug=bug_id, stage=settings.stage)
            # name only the bugs that clash with this one, not every bug applied so far
            others = [
                other
                for other in applied
                if _apply_bug(_apply_bug(base, other, settings), bug_id, settings) is None
            ]
            raise KitError("errors.bugs_conflict", bug=bug_id, others=", ".join(others or applied))
        source = patched
        applied.append(bug_id)
    return Program(settings, source, base)


def _apply_bug(source, bug_id, settings):
    """Return ``source`` with the bug's patches applied, or None if one does not match."""
    for patch in get_bug(bug_id).patches_for(settings.stage):
        old = _fill(patch.old, settings)
        new = _fill(patch.new, settings)
        # a patch matches whole lines only, exactly once
        pattern = re.compile(r"^" + re.escape(old), re.MULTILINE)
        if len(pattern.findall(source)) != 1:
            return None
        source = pattern.sub(lambda _match, text=new: text, source, count=1)
    return source


def _fill(text, settings):
    text = text.replace("{learning_rate}", _format_float(settings.effective_learning_rate))
    return text.replace("{optimizer}", settings.effective_optimizer or "")


def _format_float(value):
    return repr(float(value))


def render_settings(settings):
    """Return the stage source with its settings lines rewritten to ``settings``."""
    stage = get_stage(settings.stage)
    source = apply_settings(stage.template, settings)
    if source is None:
        raise RuntimeError(f"stage file {stage.filename} must have one line per setting")
    return source


def apply_settings(source, settings):
    """Rewrite the settings lines of any stage-shaped ``source`` to ``settings``.

    Returns None if a settings line is missing or repeated, for example in a
    student's edit that deleted one.
    """
    stage = get_stage(settings.stage)
    module = "np" if stage.library == "numpy" else "torch"
    lines = {
        r"^N, D_in, H, D_out = .*$": (
            f"N, D_in, H, D_out = {settings.N}, {settings.D_in}, {settings.H}, {settings.D_out}"
        ),
        r"^iterations = .*$": f"iterations = {settings.iterations}",
        r"^learning_rate = .*$": "learning_rate = "
        + _format_float(settings.effective_learning_rate),
        r"^seed = .*$": f"seed = {settings.seed}",
        r"^dtype = .*$": f"dtype = {module}.{settings.effective_dtype}",
    }
    if stage.selectable_optimizer:
        lines[r"^(optimizer = torch\.optim\.)\w+\("] = rf"\g<1>{settings.effective_optimizer}("
    for pattern, replacement in lines.items():
        source, count = re.subn(pattern, replacement, source, flags=re.MULTILINE)
        if count != 1:
            return None
    return source
