"""kit: train a two-layer ReLU network eight ways, inject classic bugs, watch the loss."""

from kit.bugs import all_bugs, bugs_for_stage, get_bug
from kit.i18n import KitError, get_language, set_language, tr
from kit.program import build_program
from kit.runner import run
from kit.settings import Settings
from kit.stages import STAGE_IDS, STAGES, get_stage

__version__ = "0.1.0"

# Widget classes load on first use, so importing kit needs no ipywidgets or matplotlib.
_LAZY = {
    "Exercise": "kit.widgets.exercise",
    "Lab": "kit.widgets",
    "show": "kit.widgets",
    "LossPlot": "kit.widgets",
    "CodeView": "kit.widgets",
    "BugPicker": "kit.widgets",
    "StagePicker": "kit.widgets",
    "DiagnosisPanel": "kit.widgets",
}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'kit' has no attribute {name!r}")


__all__ = [
    "BugPicker",
    "CodeView",
    "DiagnosisPanel",
    "Lab",
    "LossPlot",
    "StagePicker",
    "show",
    "Exercise",
    "STAGES",
    "STAGE_IDS",
    "KitError",
    "Settings",
    "all_bugs",
    "bugs_for_stage",
    "build_program",
    "get_bug",
    "get_language",
    "get_stage",
    "run",
    "set_language",
    "tr",
]
