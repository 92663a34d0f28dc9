"""An installed dateline (the Docker image's `pip install .`, not only the editable checkout) holds every
package of the source folders."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_source_package_is_listed_for_installation():
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    found = {".".join([name, *init.parent.relative_to(ROOT / folder).parts])
             for name, folder in setuptools["package-dir"].items() for init in (ROOT / folder).rglob("__init__.py")}
    assert found == set(setuptools["packages"])
