"""`python -m sandglass_local` — the local stack.

  serve [--reset] [--port 3000]     the whole API at http://127.0.0.1:3000/api (embedded DynamoDB, demo data)
  invoke FUNCTION -e events/x.json  run one function with an event file (like `sam local invoke -e`)
  fire FUNCTION [--at INSTANT]      run a scheduled function as EventBridge Scheduler would, optionally time-travelling
  token EMAIL                       print a dev bearer token
  openapi                           print the merged OpenAPI document
"""

from __future__ import annotations

import argparse
import json
import sys

import os

# EMF metric lines would interleave with the JSON results this CLI prints on stdout (and flood the
# dev server's console); `POWERTOOLS_METRICS_DISABLED=false` shows them.
os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")

from sandglass_local import devstack  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sandglass_local", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the API locally")
    serve.add_argument("--reset", action="store_true", help="wipe the saved local state first")
    serve.add_argument("--port", type=int, default=3000)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--no-schedules", action="store_true", help="do not fire the scheduled functions every 15 minutes")
    invoke = commands.add_parser("invoke", help="invoke one function with an event file")
    invoke.add_argument("function", help="logical id (WorkspaceFunction) or folder name (workspace)")
    invoke.add_argument("-e", "--event", required=True, help="path to the event JSON")
    fire = commands.add_parser("fire", help="fire a scheduled function")
    fire.add_argument("function", help="AutoLockFunction / auto_lock, RemindersFunction / reminders")
    fire.add_argument("--at", help="the scheduled instant (ISO 8601); the clock is set to it")
    token = commands.add_parser("token", help="print a dev bearer token")
    token.add_argument("email")
    commands.add_parser("openapi", help="print the merged OpenAPI document")
    args = parser.parse_args(argv)

    if args.command == "serve":
        return devstack.serve(host=args.host, port=args.port, reset=args.reset, schedules=not args.no_schedules)
    with devstack.Stack.open() as stack:
        if args.command == "invoke":
            with open(args.event) as handle:
                event = json.load(handle)
            result = stack.invoke(args.function, event)
        elif args.command == "fire":
            result = stack.fire(args.function, args.at)
        elif args.command == "token":
            result = stack.token(args.email)
            print(result)
            return 0
        else:
            from sandglass_local.openapi import merged_schema

            result = merged_schema(stack.gateway)
        json.dump(result, sys.stdout, indent=2, default=str)
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
