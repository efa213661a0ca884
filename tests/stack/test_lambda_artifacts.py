"""scripts/check_lambda_artifacts.py, the check `make build` runs on what `sam build` produced:
it refuses a wheel or a native library the functions' runtime (python3.13, arm64 = aarch64,
Amazon Linux 2023 = glibc 2.34) cannot load, and accepts what does run there."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import check_lambda_artifacts as check  # noqa: E402

RUNTIME = check.runtime_of_template()


def _dist(build: Path, name: str, version: str, *tags: str, at: str = "ActivitiesFunction") -> None:
    dist_info = build / at / f"{name}-{version}.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "WHEEL").write_text("Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: false\n" + "".join(f"Tag: {tag}\n" for tag in tags))


def _x86_64_library() -> Path:
    """A real x86_64 shared object of this venv (the tests run on x86_64 Linux)."""
    import _cffi_backend

    path = Path(_cffi_backend.__file__)
    assert path.read_bytes()[:4] == b"\x7fELF"
    return path


def test_the_runtime_is_read_from_the_template():
    assert (RUNTIME.python, RUNTIME.arch, RUNTIME.elf_machine, RUNTIME.glibc) == ((3, 13), "aarch64", "EM_AARCH64", (2, 34))


@pytest.mark.parametrize("tags", [
    ["py3-none-any"],
    ["cp313-cp313-manylinux_2_17_aarch64", "cp313-cp313-manylinux2014_aarch64"],
    ["cp313-cp313-manylinux_2_34_aarch64"],
    ["cp39-abi3-manylinux_2_28_aarch64"],
])
def test_wheels_for_the_runtime_pass(tmp_path, tags):
    _dist(tmp_path, "good", "1.0", *tags)
    assert check.check_wheels(tmp_path, RUNTIME) == []


@pytest.mark.parametrize("tags, why", [
    (["cp313-cp313-manylinux_2_17_x86_64", "cp313-cp313-manylinux2014_x86_64"], "another architecture"),
    (["cp313-cp313-manylinux_2_39_aarch64"], "a newer glibc than Amazon Linux 2023's"),
    (["cp312-cp312-manylinux_2_17_aarch64"], "another Python"),
    (["cp313-cp313-linux_aarch64"], "built from an sdist on the build machine"),
    (["cp313-cp313-musllinux_1_2_aarch64"], "musl, not glibc"),
])
def test_wheels_for_another_platform_fail(tmp_path, tags, why):
    _dist(tmp_path, "bad", "1.0", *tags)
    problems = check.check_wheels(tmp_path, RUNTIME)
    assert len(problems) == 1 and "bad-1.0.dist-info" in problems[0] and tags[0] in problems[0], why


def test_a_pin_missing_from_the_build_fails(tmp_path):
    _dist(tmp_path, "pydantic_core", "2.46.5", "cp313-cp313-manylinux_2_17_aarch64")
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("# pins\npydantic_core==2.46.5\npillow==13.0.0\n")
    assert check.check_wheels(tmp_path, RUNTIME, requirements) == ["requirements.txt: pillow==13.0.0 is not in the build (no wheel for the runtime?)"]


def test_a_shared_object_for_another_architecture_fails(tmp_path):
    library = tmp_path / "DomainLayer" / "python" / "fake" / "_speedups.cpython-313-aarch64-linux-gnu.so"
    library.parent.mkdir(parents=True)
    shutil.copy(_x86_64_library(), library)
    problems = check.check_build(tmp_path, RUNTIME)
    assert [p for p in problems if "built for EM_X86_64, the runtime is EM_AARCH64" in p and "_speedups" in p], problems


def _aarch64_needing(glibc: bytes, target: Path) -> Path:
    """A real .so relabelled aarch64 (ELF e_machine) whose baseline GLIBC_2.2.5 requirement is
    rewritten (same length, in .dynstr) to `glibc`: an aarch64 library needing that glibc."""
    data = bytearray(_x86_64_library().read_bytes())
    assert b"GLIBC_2.2.5\x00" in data
    data = bytearray(bytes(data).replace(b"GLIBC_2.2.5\x00", glibc.ljust(12, b"\x00")))
    data[18:20] = (183).to_bytes(2, "little" if data[5] == 1 else "big")  # EM_AARCH64
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(bytes(data))
    return target


def test_a_shared_object_needing_a_newer_glibc_fails(tmp_path):
    newer = _aarch64_needing(b"GLIBC_2.39", tmp_path / "DomainLayer" / "python" / "fake.libs" / "libnew.so.1")
    assert check.check_elf(newer, RUNTIME) == [f"{newer}: needs GLIBC_2.39, the runtime has glibc 2.34"]
    fitting = _aarch64_needing(b"GLIBC_2.34", tmp_path / "ok" / "libok.so")
    assert check.check_elf(fitting, RUNTIME) == []


def test_the_script_exits_1_with_one_line_per_problem(tmp_path):
    _dist(tmp_path, "bad", "1.0", "cp313-cp313-manylinux_2_17_x86_64")
    _aarch64_needing(b"GLIBC_2.38", tmp_path / "ActivitiesFunction" / "libnew.so")
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "check_lambda_artifacts.py"), str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 3 and "bad-1.0.dist-info" in lines[0] and "needs GLIBC_2.38" in lines[1] and "2 problem(s)" in lines[2], result.stderr
    assert "Traceback" not in result.stderr
