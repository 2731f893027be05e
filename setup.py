"""Packaging of kit: the package, its stage files, bug catalogue and message catalogs."""

from setuptools import find_packages, setup

setup(
    name="kit",
    version="0.1.0",
    description=(
        "Jupyter widgets that train a two-layer ReLU network eight ways, inject classic bugs "
        "and explain the loss curve, in Chinese and English."
    ),
    packages=find_packages(include=["kit", "kit.*"]),
    package_data={
        "kit": ["stages/*.py", "bugs/*.toml", "locales/*/*.toml", "widgets/dashboard.ipynb"],
    },
    include_package_data=True,
    python_requires=">=3.10",
    install_requires=[
        "torch>=2.1",
        "numpy",
        "ipywidgets>=8",
        "matplotlib",
        "ipympl",
        "voila",
    ],
    extras_require={
        "test": ["pytest", "playwright", "ruff", "nbclient", "nbformat", "ipykernel"],
    },
    entry_points={"console_scripts": ["kit = kit.cli:entry_point"]},
)
