"""The catalogue of classic bugs, one TOML file per bug in this folder.

A bug file contains its id, the stages it applies to, the symptom classes it
should produce, its title, explanation and fix hint in every language, and
its code change as a list of patches::

    [[patch]]
    stages = ["autograd"]     # optional: default is every stage of the bug
    old = '''text that must occur exactly once in the stage source'''
    new = '''its replacement'''

``old`` and ``new`` may contain ``{learning_rate}`` and ``{optimizer}``,
which are replaced by the run's values as they appear in the source.
"""

import functools
import tomllib
from dataclasses import dataclass
from importlib import resources

from kit.i18n import LANGUAGES, KitError, get_language, normalize_language

SYMPTOMS = ("converged", "slow", "flat", "diverged", "oscillating", "raised")


@dataclass(frozen=True)
class Patch:
    """One find-and-replace edit of a stage source."""

    old: str
    new: str
    stages: tuple


@dataclass(frozen=True)
class Bug:
    """One catalogue entry.

    Attributes
    ----------
    id : str
    stages : tuple of str
        Stage ids the bug applies to.
    symptoms : tuple of str
        Symptom classes (see ``SYMPTOMS``) a run with this bug should end in.
    texts : dict
        ``{lang: {"title", "explanation", "hint"}}`` for every language.
    patches : tuple of Patch
    """

    id: str
    stages: tuple
    symptoms: tuple
    texts: dict
    patches: tuple

    def text(self, field, lang=None):
        """Return ``"title"``, ``"explanation"`` or ``"hint"`` in ``lang``."""
        lang = normalize_language(lang) if lang else get_language()
        return self.texts[lang][field]

    def patches_for(self, stage_id):
        """Return the patches that edit this stage."""
        return [patch for patch in self.patches if stage_id in patch.stages]


def _load_bug(entry):
    data = tomllib.loads(entry.read_text(encoding="utf-8"))
    stages = tuple(data["stages"])
    patches = tuple(
        Patch(item["old"], item["new"], tuple(item.get("stages", stages))) for item in data["patch"]
    )
    texts = {lang: dict(data[lang]) for lang in LANGUAGES}
    return Bug(data["id"], stages, tuple(data["symptoms"]), texts, patches)


@functools.cache
def _catalogue():
    folder = resources.files("kit") / "bugs"
    files = sorted(
        (entry for entry in folder.iterdir() if entry.name.endswith(".toml")),
        key=lambda entry: entry.name,
    )
    bugs = [_load_bug(entry) for entry in files]
    bugs.sort(key=lambda bug: BUG_ORDER.index(bug.id) if bug.id in BUG_ORDER else len(BUG_ORDER))
    return {bug.id: bug for bug in bugs}


# The order in which pickers list the bugs: the lecture's three mistakes first.
BUG_ORDER = (
    "rebind-update",
    "rebind-param",
    "lr-after-optimizer",
    "zero-grad-before-backward",
    "no-zero-grad",
    "update-outside-no-grad",
    "lr-too-large",
    "relu-mask",
    "wrong-transpose",
    "backward-twice",
    "double-float",
)


def all_bugs():
    """Return every bug in picker order."""
    return list(_catalogue().values())


def bug_ids():
    """Return every bug id in picker order."""
    return tuple(_catalogue())


def get_bug(bug_id):
    """Return the bug with this id.

    Raises
    ------
    kit.i18n.KitError
        If no bug has this id.
    """
    bugs = _catalogue()
    if bug_id not in bugs:
        raise KitError("errors.unknown_bug", value=bug_id, choices=", ".join(bugs))
    return bugs[bug_id]


def bugs_for_stage(stage_id):
    """Return the bugs that apply to a stage, in picker order."""
    return [bug for bug in _catalogue().values() if stage_id in bug.stages]


def check_bugs(stage_id, bug_list):
    """Raise :class:`kit.i18n.KitError` unless every bug exists, applies and is listed once."""
    seen = set()
    for bug_id in bug_list:
        bug = get_bug(bug_id)
        if stage_id not in bug.stages:
            applicable = ", ".join(b.id for b in bugs_for_stage(stage_id)) or "-"
            raise KitError(
                "errors.bug_not_for_stage", bug=bug_id, stage=stage_id, choices=applicable
            )
        if bug_id in seen:
            raise KitError("errors.bug_twice", bug=bug_id)
        seen.add(bug_id)
