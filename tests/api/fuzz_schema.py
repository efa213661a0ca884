"""The served OpenAPI document as schemathesis loads it for the fuzz tests (tests/api/test_fuzz.py,
tests/api/clockify/test_clockify_fuzz.py): from a gateway like the tests' own (same table name and
secret), in-process through the dev server's HTTP surface, leaving the process environment as it
found it."""

from __future__ import annotations

import os

import schemathesis
from schemathesis.config import SchemathesisConfig

from tests.conftest import SECRET, TABLE


def served_schema(document: str, *, seed: int, examples: int, coverage: bool = False):
    """`document`: its path on the gateway (`/api/openapi.json`, `/api/openapi/clockify.json`)."""
    from sandglass.settings import reset_settings
    from sandglass.storage.table import reset_client
    from sandglass_local.gateway import Gateway
    from sandglass_local.wsgi import GatewayApp

    saved = dict(os.environ)
    try:
        app = GatewayApp(Gateway(table_name=TABLE, environment={"JWT_SECRET": SECRET, "JWT_SECRET_PARAMETER": "", "CORS_ORIGINS": ""}))
        config = SchemathesisConfig.from_dict({
            "seed": seed,
            "generation": {"max-examples": examples, "mode": "all", "database": "none"},
            "phases": {"coverage": {"enabled": coverage}, "stateful": {"enabled": False}},
        })
        return schemathesis.openapi.from_wsgi(document, app, config=config)
    finally:
        os.environ.clear()
        os.environ.update(saved)
        reset_settings()
        reset_client()
