"""Test-wide defaults.

Tests that check English text need English as the default language, so the
suite sets ``KIT_LANG=en`` before kit is imported. Tests of language
detection override it with monkeypatch.
"""

import os

os.environ["KIT_LANG"] = "en"
