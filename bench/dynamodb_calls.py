"""DynamoDB calls per API operation (moto in-process, same gateway emulation as the tests).

    python bench/dynamodb_calls.py

Each row: the operation, read calls and write calls made by the authorizer plus the handler,
Scan calls (always 0), and the calls by API name.
"""

from __future__ import annotations

import os

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")

from moto import mock_aws  # noqa: E402

OPERATIONS = [
    ("POST /organizations (sign-up)", "POST", "/organizations", None, {"name": "Bench", "domain": "bench2"}, "founder@bench2.test"),
    ("GET /auth", "GET", "/auth", "bench", None, "admin@bench.test"),
    ("GET /organizations", "GET", "/organizations", None, None, "admin@bench.test"),
    ("GET /organization", "GET", "/organization", "bench", None, "admin@bench.test"),
    ("PUT /organization", "PUT", "/organization", "bench", {"notes": "x", "coreHours": {"start": "08:00"}}, "admin@bench.test"),
    ("POST /organization/rename", "POST", "/organization/rename", "bench", {"domain": "bench3"}, "admin@bench.test"),
    ("DELETE /organization", "DELETE", "/organization", "bench3", None, "admin@bench.test"),
]


def main() -> None:
    import boto3

    from sandglass.services.auth import issue_token
    from sandglass_local import template as tpl
    from sandglass_local.callcounter import counting
    from sandglass_local.gateway import Gateway

    with mock_aws():
        tpl.create_table(boto3.client("dynamodb"), "bench")
        gateway = Gateway(table_name="bench", environment={"JWT_SECRET": "bench-secret-bench-secret-bench-secret", "JWT_SECRET_PARAMETER": ""})

        def call(method, path, org, body, email):
            headers = {"Authorization": f"Bearer {issue_token(email)}"}
            if org:
                headers["X-Organization"] = org
            return gateway.request(method, "/api" + path, headers=headers, body=body)

        assert call("POST", "/organizations", None, {"name": "Bench", "domain": "bench"}, "admin@bench.test").status == 200
        print(f"{'operation':<32}{'status':>7}{'reads':>7}{'writes':>8}{'scans':>7}  calls")
        for label, method, path, org, body, email in OPERATIONS:
            with counting() as counter:
                reply = call(method, path, org, body, email)
            detail = ", ".join(f"{name}×{count}" for name, count in sorted(counter.calls.items()))
            print(f"{label:<32}{reply.status:>7}{counter.reads:>7}{counter.writes:>8}{counter.scans:>7}  {detail}")
        print("reads include the authorizer's GetItems (domain -> organization, member) on organization routes")


if __name__ == "__main__":
    main()
