"""Cold start: median import+init CPU time of every function's handler module, each in a fresh
process, next to a hello-world powertools handler that creates a DynamoDB client (the baseline).
CPU time (time.process_time) rather than wall time: on a shared VM wall time swings by ±30 %.

    python bench/cold_start.py [--runs 7]

Prints one row per function with its median, the baseline's median and the ratio (target: TARGET_RATIO, 1.15×).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_RATIO = 1.15  # every function within 15 % of the hello-world handler

BASELINE = '''
import boto3
from aws_lambda_powertools.event_handler import APIGatewayRestResolver

app = APIGatewayRestResolver()
dynamodb = boto3.client("dynamodb", region_name="us-east-1")


@app.get("/hello")
def hello():
    return {"message": "hello"}


def lambda_handler(event, context):
    return app.resolve(event, context)
'''

PROBE = '''
import importlib.util, sys, time
clock = time.process_time  # CPU time of this process: what an import costs, without the VM's scheduling noise
start = clock()
spec = importlib.util.spec_from_file_location("handler_under_test", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
assert callable(module.lambda_handler)
imported = clock()
if len(sys.argv) > 2:  # also create the DynamoDB client our code creates lazily on the first request
    from sandglass.storage.table import client
    client()
print(f"{(imported - start) * 1000:.2f} {(clock() - start) * 1000:.2f}")
'''


def _once(path: Path, env: dict[str, str], with_client: bool) -> tuple[float, float]:
    command = [sys.executable, "-c", PROBE, str(path)] + (["client"] if with_client else [])
    output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    imported, total = (float(value) for value in output.split())
    return imported, total


def _env(environment: dict[str, str] | None = None) -> dict[str, str]:
    env = {**os.environ, "AWS_DEFAULT_REGION": "us-east-1", **(environment or {})}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # any value disables .pyc writing; a deployed layer ships .pyc
    return env


def measure_pair(path: Path, baseline: Path, runs: int, environment: dict[str, str]) -> tuple[float, float, float]:
    """Alternate the function and the baseline in fresh processes (so load drift hits both alike);
    medians of: the function's import, its import + client, the baseline's import (+ its client)."""
    fn_env, base_env = _env(environment), _env()
    _once(path, fn_env, True), _once(baseline, base_env, False)  # warm the .pyc caches
    imports, totals, baselines = [], [], []
    for _ in range(runs):
        imported, total = _once(path, fn_env, True)
        imports.append(imported)
        totals.append(total)
        baselines.append(_once(baseline, base_env, False)[1])
    return statistics.median(imports), statistics.median(totals), statistics.median(baselines)


def instructions(path: Path | None, env: dict[str, str], with_client: bool) -> int:
    """Instructions executed by the import (valgrind/callgrind): repeatable to a fraction of a percent."""
    import re

    code = "pass" if path is None else PROBE
    command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, "-c", code]
    if path is not None:
        command += [str(path)] + (["client"] if with_client else [])
    output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stderr
    return int(re.search(r"Collected : (\d+)", output).group(1))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--instructions", action="store_true", help="count instructions with valgrind instead of timing (slow, ~1 min per function, repeatable)")
    parser.add_argument("--smoke", action="store_true", help="one function, one run: checks that the bench runs")
    args = parser.parse_args()
    if args.smoke:
        args.runs = 1
    sys.path.insert(0, str(ROOT / "scripts"))
    from sandglass_local import template as tpl

    with tempfile.TemporaryDirectory() as folder:
        baseline_path = Path(folder) / "baseline.py"
        baseline_path.write_text(BASELINE)
        if args.instructions:
            base_env = _env()
            startup = instructions(None, base_env, False)
            baseline = instructions(baseline_path, base_env, False) - startup
            print(f"instructions beyond interpreter start-up; baseline {baseline / 1e6:.0f} M. Target ratio ≤ {TARGET_RATIO:.2f}.")
            for logical_id, fn in sorted(tpl.functions().items()):
                module_path = fn.code_uri / (fn.handler.rsplit(".", 1)[0] + ".py")
                env = _env(tpl.resolve_environment(fn.environment, table_name="sandglass"))
                _once(module_path, env, True)  # warm the .pyc cache
                count = instructions(module_path, env, True) - startup
                print(f"{logical_id:<22}{count / 1e6:>8.0f} M{count / baseline:>7.2f}  {'ok' if count / baseline <= TARGET_RATIO else 'OVER'}")
            return
        print("import: the handler module alone; +client: also the lazily created DynamoDB client, which")
        print(f"the baseline creates at import. ratio = +client / baseline, measured alternately. Target ≤ {TARGET_RATIO:.2f}.")
        print(f"{'function':<22}{'import ms':>10}{'+client ms':>11}{'baseline ms':>13}{'ratio':>7}")
        worst = 0.0
        for logical_id, fn in sorted(tpl.functions().items())[:1 if args.smoke else None]:
            module_path = fn.code_uri / (fn.handler.rsplit(".", 1)[0] + ".py")
            environment = tpl.resolve_environment(fn.environment, table_name="sandglass")  # as deployed
            imported, with_client, baseline = measure_pair(module_path, baseline_path, args.runs, environment)
            ratio = with_client / baseline
            worst = max(worst, ratio)
            print(f"{logical_id:<22}{imported:>10.1f}{with_client:>11.1f}{baseline:>13.1f}{ratio:>7.2f}  {'ok' if ratio <= TARGET_RATIO else 'OVER'}")
        print(f"worst ratio {worst:.2f} (medians of {args.runs} alternating fresh processes per function)")


if __name__ == "__main__":
    main()
