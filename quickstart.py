"""Install what is missing, then start the dashboard or run the tests.

    python3 quickstart.py dashboard [kit serve options]
    python3 quickstart.py test [pytest options]

Needs Python 3.10 or newer with pip. torch is installed as the pinned
version the kit is tested with; the kit itself is installed in editable mode
with its test extras. For ``test``, when Chromium or the Noto CJK font is
missing and the script runs as root on a system with apt-get, it installs
Debian's ``chromium`` and ``fonts-noto-cjk``.
"""

import glob
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent
TORCH_REQUIREMENT = "torch==2.13.0"
CHROMIUM = "/usr/bin/chromium"
# Import names of the kit's dependencies (setup.py), test extras included.
MODULES = (
    "numpy",
    "ipywidgets",
    "matplotlib",
    "ipympl",
    "voila",
    "pytest",
    "playwright",
    "ruff",
    "nbclient",
    "nbformat",
    "ipykernel",
)
APT_PACKAGES = ("chromium", "fonts-noto-cjk")
# Lecture-size matrices gain nothing from BLAS threads, and on a busy 2-core
# machine spinning BLAS threads slowed stage runs about tenfold.
SINGLE_THREAD = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def say(key, **fields):
    """Print a message from kit/locales/<lang>/quickstart.toml (kit may not be installed yet)."""
    names = [os.environ.get(name) for name in ("KIT_LANG", "LANGUAGE", "LC_ALL", "LANG")]
    lang = "zh-CN" if next((name for name in names if name), "").lower().startswith("zh") else "en"
    path = ROOT / "kit" / "locales" / lang / "quickstart.toml"
    text = tomllib.loads(path.read_text(encoding="utf-8"))[key]
    print("quickstart: " + text.format(**fields), flush=True)


def main(argv):
    if not argv or argv[0] not in ("dashboard", "test"):
        say("usage")
        return 2
    command, rest = argv[0], argv[1:]
    install_python_packages()
    if command == "test":
        install_browser()
        return run([sys.executable, "-m", "pytest", *rest])
    return run([sys.executable, "-m", "kit", "serve", *rest])


def install_python_packages():
    """Install torch (pinned) and the kit with its test extras where missing."""
    if not importable("torch"):
        say("torch_missing", requirement=TORCH_REQUIREMENT)
        pip_install(TORCH_REQUIREMENT)
    missing = [name for name in MODULES if not importable(name)]
    if not kit_installed():
        missing.insert(0, "kit")
    if missing:
        say("installing_kit", missing=", ".join(missing))
        pip_install("-e", f"{ROOT}[test]")


def importable(module):
    # A fresh interpreter, so packages installed a moment ago are seen.
    check = subprocess.run(
        [sys.executable, "-c", f"import {module}"],
        cwd=ROOT.parent,
        capture_output=True,
    )
    return check.returncode == 0


def kit_installed():
    """Return whether the kit is installed as a distribution, not only importable from here."""
    check = subprocess.run(
        [sys.executable, "-c", "import importlib.metadata as m; m.version('kit')"],
        cwd=ROOT.parent,
        capture_output=True,
    )
    return check.returncode == 0 and shutil.which("kit") is not None


def pip_install(*args):
    command = [sys.executable, "-m", "pip", "install", *args]
    say("running", command=" ".join(command))
    subprocess.run(command, check=True)


def cjk_font_installed():
    patterns = ("/usr/share/fonts/**/NotoSansCJK*", "/usr/share/fonts/**/NotoSansSC*")
    return any(glob.glob(pattern, recursive=True) for pattern in patterns)


def install_browser():
    """Install Debian's chromium and fonts-noto-cjk when missing and possible."""
    if os.path.exists(CHROMIUM) and cjk_font_installed():
        return
    can_install = hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get")
    if not can_install:
        say("browser_missing", chromium=CHROMIUM, packages=" ".join(APT_PACKAGES))
        return
    environment = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    say("apt_installing", packages=" ".join(APT_PACKAGES))
    subprocess.run(["apt-get", "update"], check=True, env=environment)
    subprocess.run(["apt-get", "install", "-y", *APT_PACKAGES], check=True, env=environment)


def run(command):
    say("running", command=" ".join(command))
    environment = dict(os.environ)
    for name in SINGLE_THREAD:
        environment.setdefault(name, "1")
    try:
        return subprocess.run(command, cwd=ROOT, env=environment).returncode
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except subprocess.CalledProcessError as error:
        say("failed", command=" ".join(error.cmd), status=error.returncode)
        sys.exit(1)
