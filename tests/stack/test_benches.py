"""Benches that cannot rot: `make bench` runs every script in bench/, and each one runs here at a
tiny size (a smoke run: it must finish and print its figures; nothing about time is asserted)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# bench script -> (arguments of its smoke run, a line its output must have)
SMOKE = {
    "activities_list.py": (["200"], r"member list \(GSI1\)\s+limit= 200: 200 activities"),
    "changes.py": (["--smoke"], r"^consumer DynamoDB calls per logged change: writes"),
    # the first-request table follows the import table; its request must be answered by validation (422), not fail
    "cold_start.py": (["--smoke"], r"^function\s+import ms.*ratio$(?s:.*)^ActivitiesFunction(?:\s+[\d.]+)+\s+POST /activities.*\[422\]$"),
    "dev_server.py": (["--smoke"], r"^request\s+count\s+p50 ms\s+p99 ms\s+req/s$"),
    "dynamodb_calls.py": ([], r"^operation\s+status\s+reads\s+writes"),
    "reports.py": (["--smoke"], r"^activities\s+Query pages\s+service s.*baseline MB$"),
}


def test_every_bench_has_a_smoke_run_and_is_in_make_bench():
    scripts = sorted(path.name for path in (ROOT / "bench").glob("*.py"))
    assert scripts == sorted(SMOKE), "a bench in bench/ needs a smoke run here"
    recipe = re.search(r"^bench:.*\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(), re.M).group(1)
    assert sorted(re.findall(r"bench/(\w+\.py)", recipe)) == scripts, recipe


@pytest.mark.parametrize("script", sorted(SMOKE))
def test_bench_smoke_run(script):
    arguments, expected = SMOKE[script]
    env = {**os.environ}
    env.pop("DYNAMODB_ENDPOINT", None)
    env.pop("SANDGLASS_DYNAMODB_ENDPOINT", None)
    done = subprocess.run([sys.executable, str(ROOT / "bench" / script), *arguments], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(expected, done.stdout, re.M), done.stdout


def test_make_bench_keeps_each_bench_output_with_its_commit_load_and_status(tmp_path, monkeypatch):
    from sandglass_local import benchlog

    script = tmp_path / "tiny.py"
    script.write_text("import sys\nprint('figure 42')\nsys.exit(3)\n")
    monkeypatch.setattr(benchlog, "OUT", tmp_path / "out")
    assert benchlog.run(str(script), []) == 3
    kept = (tmp_path / "out" / "tiny.txt").read_text()
    assert "figure 42" in kept
    assert re.search(r"^# commit \w+", kept, re.M) and "load average" in kept and "cores" in kept
    assert kept.rstrip().splitlines()[-1].startswith("# exit status 3")
