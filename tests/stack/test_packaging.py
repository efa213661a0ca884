"""The built wheel (a non-editable install of the domain package and the local tooling) holds
every package of the source tree: package discovery is automatic, so a new subpackage cannot be
left out of it."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = {"sandglass": ROOT / "layers" / "domain" / "sandglass", "sandglass_local": ROOT / "scripts" / "sandglass_local"}


def _source_modules() -> set[str]:
    modules = set()
    for name, folder in SOURCES.items():
        for path in folder.rglob("*.py"):
            if "__pycache__" not in path.parts:
                modules.add(f"{name}/{path.relative_to(folder).as_posix()}")
    return modules


def test_the_wheel_contains_every_package_and_module(tmp_path):
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(ROOT)],
                            capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    wheel, = tmp_path.glob("sandglass-*.whl")
    shipped = {name for name in zipfile.ZipFile(wheel).namelist() if name.endswith(".py")}
    source = _source_modules()
    assert {"sandglass/adapters/__init__.py", "sandglass/services/activities/__init__.py"} <= source
    assert source - shipped == set()
    assert not {name for name in shipped if name.startswith(("tests/", "functions/"))}
