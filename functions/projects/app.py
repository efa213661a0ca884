"""The projects route group. Its routes are declared in template.yaml; a later issue builds them."""

from __future__ import annotations

from sandglass.http.resolver import create_app, not_built

app = create_app()
not_built(app, "projects")


def lambda_handler(event: dict, context) -> dict:
    return app.resolve(event, context)
