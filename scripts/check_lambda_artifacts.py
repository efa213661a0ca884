"""Fail the build when what `sam build` produced cannot run on the functions' runtime.

Run by `make build` after `sam build`:

    python scripts/check_lambda_artifacts.py [.aws-sam/build]

The runtime is read from template.yaml (Globals Function Runtime and Architectures): python3.13 on
arm64 is Amazon Linux 2023, glibc 2.34, aarch64. Two checks over the build directory:

- every installed distribution (`*.dist-info/WHEEL`) came from a wheel whose tag the runtime
  accepts (cp313 / abi3 / pure Python on manylinux_2_17..2_34 aarch64), and every pin of
  layers/domain/requirements.txt is installed: a package pip had to build from an sdist on this
  machine, or a wheel for another architecture or a newer glibc, is reported;
- every ELF file (`.so`, bundled `.libs/` libraries) is for the runtime's machine (ELF e_machine)
  and requires no GLIBC_x.y symbol version newer than the runtime's glibc (the .gnu.version_r
  section, read with pyelftools).

Each problem is one line on stderr; the exit status is 1 when there is any.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Runtime:
    """What a Lambda runtime offers native code: its CPython, CPU and glibc."""

    python: tuple[int, int]
    arch: str  # wheel platform suffix: aarch64 / x86_64
    elf_machine: str  # pyelftools' e_machine name
    glibc: tuple[int, int]

    def wheel_tags(self) -> set[str]:
        from packaging import tags

        platforms = [f"manylinux_{self.glibc[0]}_{minor}_{self.arch}" for minor in range(self.glibc[1], 16, -1)] + [f"manylinux2014_{self.arch}"]
        interpreter = f"cp{self.python[0]}{self.python[1]}"
        found = set(tags.cpython_tags(self.python, abis=[interpreter], platforms=platforms))
        found |= set(tags.compatible_tags(self.python, interpreter, platforms))
        return {str(tag) for tag in found}


# Amazon Linux 2023 (python3.12 and later runtimes) ships glibc 2.34; Amazon Linux 2 ships 2.26.
GLIBC_OF_RUNTIME = {"python3.11": (2, 26), "python3.12": (2, 34), "python3.13": (2, 34), "python3.14": (2, 34)}
ARCHITECTURES = {"arm64": ("aarch64", "EM_AARCH64"), "x86_64": ("x86_64", "EM_X86_64")}


def runtime_of_template(template: Path = ROOT / "template.yaml") -> Runtime:
    from sandglass_local import template as tpl

    globals_ = tpl.load(template)["Globals"]["Function"]
    name, (architecture,) = globals_["Runtime"], globals_["Architectures"]
    major, minor = (int(part) for part in name.removeprefix("python").split("."))
    arch, machine = ARCHITECTURES[architecture]
    return Runtime(python=(major, minor), arch=arch, elf_machine=machine, glibc=GLIBC_OF_RUNTIME[name])


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(requirements: Path) -> dict[str, str]:
    pins = {}
    for line in requirements.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[_normalized(name)] = version.strip()
    return pins


def check_wheels(build: Path, runtime: Runtime, requirements: Path | None = None) -> list[str]:
    """Installed distributions whose wheel the runtime cannot use, and pins that are not installed."""
    accepted = runtime.wheel_tags()
    problems, installed = [], {}
    for wheel_file in sorted(build.rglob("*.dist-info/WHEEL")):
        dist_info = wheel_file.parent
        name, _, version = dist_info.name.removesuffix(".dist-info").rpartition("-")
        installed[_normalized(name)] = version
        wheel_tags = [line.split(":", 1)[1].strip() for line in wheel_file.read_text().splitlines() if line.startswith("Tag:")]
        if not any(tag in accepted for tag in wheel_tags):
            where = dist_info.relative_to(build)
            problems.append(f"{where}: wheel tag {', '.join(wheel_tags) or '(none)'} does not run on cp{runtime.python[0]}{runtime.python[1]} "
                            f"manylinux glibc {runtime.glibc[0]}.{runtime.glibc[1]} {runtime.arch} (no such wheel on the index?)")
    if requirements is not None:
        for name, version in _pins(requirements).items():
            if name not in installed:
                problems.append(f"{requirements.name}: {name}=={version} is not in the build (no wheel for the runtime?)")
            elif version and installed[name] != version:
                problems.append(f"{requirements.name}: {name}=={version} pinned, {installed[name]} built")
    return problems


def _elf_files(build: Path):
    for path in sorted(build.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as handle:
                if handle.read(4) == b"\x7fELF":
                    yield path


def check_elf(path: Path, runtime: Runtime) -> list[str]:
    """The architecture and the GLIBC symbol versions one ELF file needs."""
    from elftools.common.exceptions import ELFError
    from elftools.elf.elffile import ELFFile
    from elftools.elf.gnuversions import GNUVerNeedSection

    problems = []
    with path.open("rb") as handle:
        try:
            elf = ELFFile(handle)
        except ELFError as error:
            return [f"{path}: unreadable ELF ({error})"]
        machine = elf["e_machine"]
        if machine != runtime.elf_machine:
            problems.append(f"{path}: built for {machine}, the runtime is {runtime.elf_machine}")
        needed = set()
        for section in elf.iter_sections():
            if isinstance(section, GNUVerNeedSection):
                for _verneed, auxiliaries in section.iter_versions():
                    for auxiliary in auxiliaries:
                        found = re.fullmatch(r"GLIBC_(\d+)\.(\d+)(?:\.\d+)?", auxiliary.name)
                        if found:
                            needed.add((int(found[1]), int(found[2])))
        newest = max(needed, default=None)
        if newest and newest > runtime.glibc:
            problems.append(f"{path}: needs GLIBC_{newest[0]}.{newest[1]}, the runtime has glibc {runtime.glibc[0]}.{runtime.glibc[1]}")
    return problems


def check_build(build: Path, runtime: Runtime, requirements: Path | None = None) -> list[str]:
    problems = check_wheels(build, runtime, requirements)
    for path in _elf_files(build):
        problems.extend(f"{line.replace(str(build) + '/', '')}" for line in check_elf(path, runtime))
    return problems


def main(argv: list[str]) -> int:
    build = Path(argv[0]) if argv else ROOT / ".aws-sam" / "build"
    if not build.is_dir():
        print(f"check_lambda_artifacts: no build directory {build} (run `sam build` first)", file=sys.stderr)
        return 2
    runtime = runtime_of_template()
    layer = build / "DomainLayer"
    problems = check_build(build, runtime, ROOT / "layers" / "domain" / "requirements.txt" if layer.is_dir() else None)
    for problem in problems:
        print(f"check_lambda_artifacts: {problem}", file=sys.stderr)
    checked = sum(1 for _ in build.rglob("*.dist-info"))
    if problems:
        print(f"check_lambda_artifacts: {len(problems)} problem(s) in {build}", file=sys.stderr)
        return 1
    print(f"check_lambda_artifacts: {checked} distributions and their native libraries run on python{runtime.python[0]}.{runtime.python[1]} "
          f"{runtime.arch} glibc {runtime.glibc[0]}.{runtime.glibc[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
