"""Cold start: median import+init CPU time of every function's handler module, each in a fresh
process, next to a hello-world powertools handler that creates a DynamoDB client (the baseline).
CPU time (time.process_time) rather than wall time: on a shared VM wall time swings by ±30 %.

    python bench/cold_start.py [--runs 7]

Prints one row per function with its median, the baseline's median and the ratio (target: TARGET_RATIO, 1.15×).
Then "first request": import + client + the first request a new container answers, for a few functions
(FIRST_REQUESTS) against the baseline's first request, so work moved from import time to the first
request shows up there instead of passing as a saving.
"""

from __future__ import annotations

import argparse
import json
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
import importlib.util, json, sys, time
clock = time.process_time  # CPU time of this process: what an import costs, without the VM's scheduling noise
start = clock()
spec = importlib.util.spec_from_file_location("handler_under_test", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
assert callable(module.lambda_handler)
imported = clock()
if len(sys.argv) > 2 and sys.argv[2] == "client":  # also create the DynamoDB client our code creates lazily on the first request
    from sandglass.storage.table import client
    client()
created = clock()
answers = []
for event in sys.argv[3:]:  # then the first requests (JSON events), each answered in this process
    class Context:
        function_name, aws_request_id, memory_limit_in_mb = "bench", "bench-request", 512
        invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:bench"
    answers.append(module.lambda_handler(json.loads(event), Context()).get("statusCode"))
answered = clock()
print(f"{(imported - start) * 1000:.2f} {(created - start) * 1000:.2f} {(answered - start) * 1000:.2f} {json.dumps(answers, separators=(',', ':'))}")
'''

# The first requests of a new container: none reaches DynamoDB (the bench has none), so each stops
# where a request first needs the table, after everything a cold container builds on its way there
# (request validation with its models, the MCP tool catalog and a tool's models).
HELLO = {"resource": "/hello", "path": "/hello", "httpMethod": "GET", "headers": {}, "queryStringParameters": None,
         "pathParameters": None, "requestContext": {"resourcePath": "/hello", "httpMethod": "GET", "requestId": "bench"},
         "body": None, "isBase64Encoded": False}
MEMBER = {"principalId": "admin@acme.test", "email": "admin@acme.test", "membership": "member", "domain": "acme",
          "orgId": "de300000-0000-4000-8000-000000000001", "userId": "aa021e18-3472-54ba-9c19-8d70d668deef", "role": "Administrator"}


def _request(method: str, resource: str, body: object = None, query: dict[str, str] | None = None) -> str:
    return json.dumps({"resource": resource, "path": "/api" + resource, "httpMethod": method,
                       "headers": {"Content-Type": "application/json", "X-Organization": "acme"}, "queryStringParameters": query,
                       "multiValueQueryStringParameters": {k: [v] for k, v in (query or {}).items()} or None, "pathParameters": None,
                       "requestContext": {"resourcePath": resource, "httpMethod": method, "requestId": "bench", "authorizer": MEMBER},
                       "body": None if body is None else json.dumps(body), "isBase64Encoded": False})


def _rpc(method: str, params: dict) -> dict:
    return {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}


# (function, what the requests are, the events): each function's first requests, answered in order
FIRST_REQUESTS: list[tuple[str, str, list[str]]] = [
    ("ActivitiesFunction", "POST /activities, a body that fails validation (422)",
     [_request("POST", "/activities", {"name": "x", "startedAt": "not a time"})]),
    ("TimesheetsFunction", "GET /timesheets with a monthOf that fails validation (422)",
     [_request("GET", "/timesheets", query={"monthOf": "2026-13-45-x"})]),
    ("McpFunction", "initialize, tools/list, a tools/call whose arguments fail validation",
     [_request("POST", "/mcp", _rpc("initialize", {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}})),
      _request("POST", "/mcp", _rpc("tools/list", {})),
      _request("POST", "/mcp", _rpc("tools/call", {"name": "log_time", "arguments": {"project": ""}}))]),
]


def _once(path: Path, env: dict[str, str], with_client: bool, events: list[str] | None = None) -> tuple[float, float]:
    imported, total, _, _ = _probe(path, env, with_client, events or [])
    return imported, total


def _probe(path: Path, env: dict[str, str], with_client: bool, events: list[str]) -> tuple[float, float, float, list[int]]:
    command = [sys.executable, "-c", PROBE, str(path), "client" if with_client else "none", *events]
    output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    imported, total, answered, statuses = output.strip().splitlines()[-1].split(maxsplit=3)  # after any metrics the handler printed
    return float(imported), float(total), float(answered), json.loads(statuses)


def measure_first_requests(path: Path, baseline: Path, runs: int, environment: dict[str, str], events: list[str],
                           compare: Path | None = None) -> tuple[float, float, list[int], float | None]:
    """Medians of import + client + the first requests, the function's and the baseline's (its
    import, client and one GET /hello), alternated in fresh processes; with `compare` (another
    checkout) the same function's there too."""
    fn_env, base_env, hello = _env(environment), _env(), [json.dumps(HELLO)]
    other = _other(compare, path, environment)
    _probe(path, fn_env, True, events), _probe(baseline, base_env, False, hello)  # warm the .pyc caches
    if other is not None:
        _probe(*other, True, events)
    functions, baselines, others, statuses = [], [], [], []
    for _ in range(runs):
        if other is not None:
            others.append(_probe(*other, True, events)[2])
        _, _, answered, statuses = _probe(path, fn_env, True, events)
        functions.append(answered)
        baselines.append(_probe(baseline, base_env, False, hello)[2])
    return statistics.median(functions), statistics.median(baselines), statuses, statistics.median(others) if others else None


def _other(compare: Path | None, path: Path, environment: dict[str, str]) -> tuple[Path, dict[str, str]] | None:
    """The same handler in another checkout, run with that checkout's domain package."""
    if compare is None or not (compare / path.relative_to(ROOT)).exists():
        return None
    ours = str(ROOT / "layers" / "domain")
    parts = [part for part in os.environ.get("PYTHONPATH", "").split(os.pathsep) if part and part != ours]
    pythonpath = os.pathsep.join([str(compare / "layers" / "domain"), *parts])
    return compare / path.relative_to(ROOT), _env({**environment, "PYTHONPATH": pythonpath})


def _env(environment: dict[str, str] | None = None) -> dict[str, str]:
    env = {**os.environ, "AWS_DEFAULT_REGION": "us-east-1", **(environment or {})}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # any value disables .pyc writing; a deployed layer ships .pyc
    return env


def measure_pair(path: Path, baseline: Path, runs: int, environment: dict[str, str],
                 compare: Path | None = None) -> tuple[float, float, float, tuple[float, float] | None]:
    """Alternate the function and the baseline in fresh processes (so load drift hits both alike);
    medians of: the function's import, its import + client, the baseline's import (+ its client);
    with `compare` (another checkout) also that checkout's import and import + client, alternated
    with the other two."""
    fn_env, base_env = _env(environment), _env()
    other = _other(compare, path, environment)
    _once(path, fn_env, True), _once(baseline, base_env, False)  # warm the .pyc caches
    if other is not None:
        _once(*other, True)
    imports, totals, baselines, other_imports, other_totals = [], [], [], [], []
    for _ in range(runs):
        if other is not None:
            imported, total = _once(*other, True)
            other_imports.append(imported)
            other_totals.append(total)
        imported, total = _once(path, fn_env, True)
        imports.append(imported)
        totals.append(total)
        baselines.append(_once(baseline, base_env, False)[1])
    before = (statistics.median(other_imports), statistics.median(other_totals)) if other is not None else None
    return statistics.median(imports), statistics.median(totals), statistics.median(baselines), before


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
    parser.add_argument("--compare", type=Path, help="another checkout of the repository (e.g. `git worktree add /tmp/before main`): "
                        "its functions measured in the same run, alternated with ours, as the 'before' columns")
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
        before_columns = f"{'before: import':>15}{'+client':>9}{'ratio':>7}" if args.compare else ""
        print(f"{'function':<22}{before_columns}{'import ms':>10}{'+client ms':>11}{'baseline ms':>13}{'ratio':>7}")
        worst = worst_before = 0.0
        for logical_id, fn in sorted(tpl.functions().items())[:1 if args.smoke else None]:
            module_path = fn.code_uri / (fn.handler.rsplit(".", 1)[0] + ".py")
            environment = tpl.resolve_environment(fn.environment, table_name="sandglass")  # as deployed
            imported, with_client, baseline, before = measure_pair(module_path, baseline_path, args.runs, environment, args.compare)
            ratio = with_client / baseline
            worst = max(worst, ratio)
            columns = f"{'':>31}" if args.compare else ""
            if before is not None:
                worst_before = max(worst_before, before[1] / baseline)
                columns = f"{before[0]:>15.1f}{before[1]:>9.1f}{before[1] / baseline:>7.2f}"
            print(f"{logical_id:<22}{columns}{imported:>10.1f}{with_client:>11.1f}{baseline:>13.1f}{ratio:>7.2f}  {'ok' if ratio <= TARGET_RATIO else 'OVER'}")
        was = f" (before: {worst_before:.2f})" if args.compare else ""
        print(f"worst ratio {worst:.2f}{was} (medians of {args.runs} alternating fresh processes per function)")
        print()
        print("first request: import + client + the first requests a new container answers (none reaches DynamoDB),")
        print("against the baseline's import + client + one GET /hello. ratio = function / baseline.")
        before_columns = f"{'before ms':>10}{'ratio':>7}" if args.compare else ""
        print(f"{'function':<22}{before_columns}{'first request ms':>17}{'baseline ms':>13}{'ratio':>7}  requests (statuses)")
        functions = tpl.functions()
        for logical_id, what, events in FIRST_REQUESTS[:1 if args.smoke else None]:
            fn = functions[logical_id]
            module_path = fn.code_uri / (fn.handler.rsplit(".", 1)[0] + ".py")
            environment = tpl.resolve_environment(fn.environment, table_name="sandglass")
            answered, baseline, statuses, before = measure_first_requests(module_path, baseline_path, args.runs, environment, events, args.compare)
            columns = f"{before:>10.1f}{before / baseline:>7.2f}" if before is not None else ""
            print(f"{logical_id:<22}{columns}{answered:>17.1f}{baseline:>13.1f}{answered / baseline:>7.2f}  {what} {statuses}")


if __name__ == "__main__":
    main()
