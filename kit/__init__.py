"""kit: train a two-layer ReLU network eight ways, inject classic bugs, watch the loss."""

from kit.bugs import all_bugs, bugs_for_stage, get_bug
from kit.i18n import KitError, get_language, set_language, tr
from kit.program import build_program
from kit.runner import run
from kit.settings import Settings
from kit.stages import STAGE_IDS, STAGES, get_stage

__version__ = "0.1.0"

__all__ = [
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
