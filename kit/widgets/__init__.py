"""Jupyter widgets of the kit: the whole dashboard (:class:`Lab`) and its parts."""

from kit.widgets.code import CodeView
from kit.widgets.form import HyperParameters
from kit.widgets.lab import Lab, show
from kit.widgets.panel import DiagnosisPanel
from kit.widgets.pickers import BugPicker, StagePicker
from kit.widgets.plot import LossPlot
from kit.widgets.presets import LECTURE

__all__ = [
    "LECTURE",
    "BugPicker",
    "CodeView",
    "DiagnosisPanel",
    "HyperParameters",
    "Lab",
    "LossPlot",
    "StagePicker",
    "show",
]
