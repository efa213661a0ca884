"""`python -m sandglass_local` — the local stack.

  serve [--reset] [--ephemeral] [--port 3000]  the whole API at http://127.0.0.1:3000/api (embedded DynamoDB, demo data)
  invoke FUNCTION -e events/x.json  run one function with an event file (like `sam local invoke -e`)
  fire FUNCTION [--at INSTANT]      run a scheduled function as EventBridge Scheduler would, optionally time-travelling
  token EMAIL                       print a dev bearer token
  openapi [--write]                 print the merged OpenAPI document (--write: the file deployed /api/openapi.json serves)
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


class InputError(Exception):
    """A mistake in what was typed: reported as one line, exit code 2 (like argparse's own errors)."""


def _instant(value: str) -> str:
    from sandglass.timefmt import parse_instant

    try:
        parse_instant(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"'{value}' is not an instant: {error}") from None
    return value


def _in_the_future(at: str) -> bool:
    from datetime import datetime, timezone

    from sandglass.timefmt import parse_instant

    return parse_instant(at) > datetime.now(timezone.utc)


def _event(path: str) -> dict:
    try:
        with open(path) as handle:
            event = json.load(handle)
    except FileNotFoundError:
        raise InputError(f"no event file '{path}' (the samples are in events/, e.g. events/activities_post.json)") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read event file '{path}': {error}") from None
    except json.JSONDecodeError as error:
        raise InputError(f"event file '{path}' is not JSON: {error.msg} (line {error.lineno}, column {error.colno})") from None
    if not isinstance(event, dict):
        raise InputError(f"event file '{path}' must hold a JSON object")
    return event


class _OneLineParser(argparse.ArgumentParser):
    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def main(argv: list[str] | None = None) -> int:
    parser = _OneLineParser(prog="sandglass_local", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_OneLineParser)
    serve = commands.add_parser("serve", help="serve the API locally")
    serve.add_argument("--reset", action="store_true", help="wipe the saved local state first")
    serve.add_argument("--port", type=int, default=3000)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--no-schedules", action="store_true", help="do not fire the scheduled functions every 15 minutes")
    serve.add_argument("--ephemeral", action="store_true", help="neither load nor save the state in .local/ (tests, throwaway runs)")
    invoke = commands.add_parser("invoke", help="invoke one function with an event file")
    invoke.add_argument("function", help="logical id (WorkspaceFunction) or folder name (workspace)")
    invoke.add_argument("-e", "--event", required=True, help="path to the event JSON")
    fire = commands.add_parser("fire", help="fire a scheduled function")
    fire.add_argument("function", help="AutoLockFunction / auto_lock, RemindersFunction / reminders")
    fire.add_argument("--at", type=_instant, help="the scheduled instant, ISO 8601 with an offset (2026-03-29T01:00:00+01:00); the clock is set to it")
    fire.add_argument("--ephemeral", action="store_true", help="run on a copy of the saved state and save nothing (required for an --at in the future)")
    token = commands.add_parser("token", help="print a dev bearer token")
    token.add_argument("email")
    openapi = commands.add_parser("openapi", help="print the merged OpenAPI document (built from the code; no database)")
    openapi.add_argument("--write", action="store_true", help="write it to functions/openapi/openapi.json, the file GET /api/openapi.json serves deployed")
    backfill = commands.add_parser("backfill-int-ids", help="give the organization's entities created before integer ids one (docs/ids.md)")
    backfill.add_argument("domain", nargs="+", help="organization domain(s), e.g. acme")
    args = parser.parse_args(argv)
    try:
        return _run(args)
    except InputError as error:
        print(f"sandglass_local {args.command}: error: {error}", file=sys.stderr)
        return 2
    except devstack.PortInUse as error:
        print(f"sandglass_local {args.command}: {error}", file=sys.stderr)
        return 1


def _run(args) -> int:
    if args.command == "serve":
        return devstack.serve(host=args.host, port=args.port, reset=args.reset, schedules=not args.no_schedules, persist=not args.ephemeral)
    if args.command == "openapi":
        from sandglass_local import openapi

        if args.write:
            openapi.write()
            print(f"wrote {openapi.SHIPPED.relative_to(openapi.tpl.ROOT)}", file=sys.stderr)
        else:
            sys.stdout.write(openapi.render(openapi.build()))
        return 0
    event = _event(args.event) if args.command == "invoke" else None
    ephemeral = args.command == "fire" and args.ephemeral
    if args.command == "fire" and args.at and not ephemeral and _in_the_future(args.at):
        raise InputError(f"--at {args.at} lies in the future: it would lock unfinished weeks of the shared dev data, and nothing undoes "
                         "that; add --ephemeral to run on a copy that is not saved")
    with devstack.Stack.open(persist=not ephemeral) as stack:
        if ephemeral:
            if not stack.owns_server:
                raise InputError("--ephemeral needs its own DynamoDB, but a running dev server shares this state: stop it, "
                                 "or set SANDGLASS_DYNAMODB_PORT to a free port")
            stack.load_state()  # a copy: close() saves nothing
        if args.command == "token":
            print(stack.token(args.email))
            return 0
        if args.command == "backfill-int-ids":
            return _backfill_int_ids(args.domain)
        try:
            if args.command == "invoke":
                result = stack.invoke(args.function, event)
            else:
                result = stack.fire(args.function, args.at)
        except devstack.UnknownFunction as error:
            raise InputError(str(error)) from None
        json.dump(result, sys.stdout, indent=2, default=str)
        print()
    return 0

def _backfill_int_ids(domains: list[str]) -> int:
    from sandglass.repositories.organizations import OrganizationRepository
    from sandglass.services.int_ids import IntIdService

    for domain in domains:
        org_id = OrganizationRepository().org_id_for_domain(domain)
        if org_id is None:
            raise InputError(f"no organization uses the domain {domain!r}")
        result = IntIdService().backfill(org_id)
        print(json.dumps({"domain": domain, "assigned": result.assigned, "skipped": result.skipped}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
