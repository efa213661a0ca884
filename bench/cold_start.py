"""Cold start: median import+init time of every function's handler module, each in a fresh
process, next to a hello-world powertools handler that creates a DynamoDB client (the baseline).

    python bench/cold_start.py [--runs 7]

Prints one row per function with its median, the baseline's median and the ratio (target ≤ 1.3×).
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
start = time.perf_counter()
spec = importlib.util.spec_from_file_location("handler_under_test", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
assert callable(module.lambda_handler)
imported = time.perf_counter()
if len(sys.argv) > 2:  # also create the DynamoDB client our code creates lazily on the first request
    from sandglass.storage.table import client
    client()
print(f"{(imported - start) * 1000:.2f} {(time.perf_counter() - start) * 1000:.2f}")
'''


def measure(path: Path, runs: int, with_client: bool = False) -> tuple[float, float]:
    env = {**os.environ, "AWS_DEFAULT_REGION": "us-east-1", "TABLE_NAME": "sandglass", "POWERTOOLS_SERVICE_NAME": "sandglass",
           "PYTHONDONTWRITEBYTECODE": "0"}
    samples = []
    for _ in range(runs + 1):  # the first run warms the .pyc cache, as a deployed layer ships .pyc files
        command = [sys.executable, "-c", PROBE, str(path)] + (["client"] if with_client else [])
        output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
        samples.append(tuple(float(value) for value in output.split()))
    measured = samples[1:]
    return statistics.median(s[0] for s in measured), statistics.median(s[1] for s in measured)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "scripts"))
    from sandglass_local import template as tpl

    with tempfile.TemporaryDirectory() as folder:
        baseline_path = Path(folder) / "baseline.py"
        baseline_path.write_text(BASELINE)
        baseline, _ = measure(baseline_path, args.runs)
        print("import+init: the handler module alone; +client: also the lazily created DynamoDB client,")
        print("which the baseline pays at import. Target: +client ≤ 1.30 × baseline.")
        print(f"{'function':<22}{'import ms':>10}{'+client ms':>11}{'baseline ms':>13}{'ratio':>7}")
        worst = 0.0
        for logical_id, fn in sorted(tpl.functions().items()):
            module_path = fn.code_uri / (fn.handler.rsplit(".", 1)[0] + ".py")
            imported, with_client = measure(module_path, args.runs, with_client=True)
            ratio = with_client / baseline
            worst = max(worst, ratio)
            print(f"{logical_id:<22}{imported:>10.1f}{with_client:>11.1f}{baseline:>13.1f}{ratio:>7.2f}  {'ok' if ratio <= 1.3 else 'OVER'}")
        print(f"worst ratio {worst:.2f} (medians of {args.runs} fresh processes per function)")


if __name__ == "__main__":
    main()
