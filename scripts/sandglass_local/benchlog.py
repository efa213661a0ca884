"""Run one benchmark script and keep what it printed, with where and when it ran.

    python -m sandglass_local.benchlog bench/reports.py [ARGS...]

The script's output goes to the terminal as it runs and to `.bench/<script>.txt`, headed by the
commit, the date, the Python version, the number of cores and the load average before and after:
wall-clock figures on a shared machine move with its neighbours, so a figure without its load is
not comparable. `make bench` runs every script through this; `.bench/` then holds the figures that
docs/benchmarks.md and the README quote. The exit status is the script's.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / ".bench"


def _commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True)
    commit = done.stdout.strip() or "unknown"
    return commit + (" (with uncommitted changes)" if dirty.stdout.strip() else "")


def _load() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def header(command: list[str]) -> str:
    return "\n".join([
        f"# {' '.join(command)}",
        f"# commit {_commit()}, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC",
        f"# Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores, load average {_load()} (1, 5, 15 min)",
        "",
    ])


def run(script: str, arguments: list[str]) -> int:
    OUT.mkdir(exist_ok=True)
    command = [Path(script).as_posix(), *arguments]
    log = OUT / f"{Path(script).stem}.txt"
    with log.open("w") as out:
        out.write(header(command) + "\n")
        out.flush()
        process = subprocess.Popen([sys.executable, script, *arguments], cwd=ROOT, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True, bufsize=1)
        assert process.stdout is not None
        for line in process.stdout:
            sys.stdout.write(line)
            sys.stdout.flush()
            out.write(line)
        status = process.wait()
        out.write(f"\n# exit status {status}; load average after {_load()}\n")
    return status


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    return run(argv[0], argv[1:])


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
