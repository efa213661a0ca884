"""A client generated from the served OpenAPI document works: openapi-python-client (a widely used
Python generator) builds it without a warning, and it signs in, creates and lists projects against
the local stack (the gateway emulation behind a real HTTP socket, on moto), its answers parsed
into the document's types.

The generator is installed at test time into its own virtual environment (its pins are not the
project's): the first run installs it under `<venv>/tools/` (about 20 s), later runs reuse it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

GENERATOR = "openapi-python-client==0.29.1"
# What generated clients import besides httpx and attrs (which come with the generator)
CLIENT_RUNTIME = "python-dateutil==2.9.0.post0"
TOOLS = Path(sys.prefix) / "tools" / "openapi-python-client-0.29.1"
ADMIN = "admin@acme.test"


def _generator_python() -> Path:
    python = TOOLS / "bin" / "python"
    if (TOOLS / ".installed").exists():
        return python
    TOOLS.parent.mkdir(parents=True, exist_ok=True)
    staging = TOOLS.with_name(f"{TOOLS.name}.{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(staging)], check=True, timeout=120)
    installed = subprocess.run([str(staging / "bin" / "python"), "-m", "pip", "install", "--quiet", GENERATOR, CLIENT_RUNTIME],
                               capture_output=True, text=True, timeout=600)
    assert installed.returncode == 0, f"pip install {GENERATOR} failed (PyPI needed once): {installed.stderr[-2000:]}"
    (staging / ".installed").touch()
    try:
        staging.rename(TOOLS)  # a venv's python finds its packages from its own folder: it survives the move
    except OSError:  # another worker finished first
        shutil.rmtree(staging, ignore_errors=True)
    return python


@pytest.fixture
def served(gateway):
    """The local stack's HTTP surface (GET /api/openapi.json and every route) on a free port."""
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    from sandglass_local.wsgi import GatewayApp

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = make_server("127.0.0.1", 0, GatewayApp(gateway), server_class=WSGIServer, handler_class=Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


CALLS = """
import json, sys
sys.path.insert(0, sys.argv[1])
from sandglass_client import AuthenticatedClient
from sandglass_client.api.projects import get_projects, post_projects
from sandglass_client.api.workspace import get_auth
from sandglass_client.models import AuthSnapshot, Project, ProjectCreate

client = AuthenticatedClient(base_url=sys.argv[2], token=sys.argv[3])
me = get_auth.sync(client=client, x_organization="acme")
created = post_projects.sync(client=client, body=ProjectCreate(name="Generated", billable=True), x_organization="acme")
page = get_projects.sync(client=client, x_organization="acme")
print(json.dumps({
    "me": [type(me).__name__, me.email, me.domain, str(me.role)],
    "created": [type(created).__name__, created.name, created.billable],
    "listed": {key: [type(project).__name__, project.name] for key, project in page.additional_properties.items()},
}))
"""


def test_a_generated_client_builds_from_the_document_and_calls_the_api(served, api, acme, tmp_path):
    import urllib.request

    python = _generator_python()
    with urllib.request.urlopen(f"{served}/api/openapi.json", timeout=30) as response:  # what clients download
        (tmp_path / "openapi.json").write_bytes(response.read())
    environment = {**os.environ, "PATH": f"{python.parent}{os.pathsep}{os.environ.get('PATH', '')}"}  # its ruff formats the code
    generated = subprocess.run([str(python), "-m", "openapi_python_client", "generate", "--path", str(tmp_path / "openapi.json"),
                                "--meta", "none", "--output-path", str(tmp_path / "sandglass_client")],
                               capture_output=True, text=True, timeout=300, env=environment)
    assert generated.returncode == 0, generated.stdout + generated.stderr
    assert "warning" not in (generated.stdout + generated.stderr).lower(), generated.stdout + generated.stderr
    generated_functions = {path.stem for path in (tmp_path / "sandglass_client" / "api").rglob("*.py")}
    assert {"get_auth", "get_projects", "get_timesheets_day_totals", "post_reports_results"} <= generated_functions

    called = subprocess.run([str(python), "-c", CALLS, str(tmp_path), f"{served}/api", api.token(ADMIN)],
                            capture_output=True, text=True, timeout=120)
    assert called.returncode == 0, called.stderr
    result = json.loads(called.stdout)
    assert result["me"] == ["AuthSnapshot", ADMIN, "acme", "Administrator"]
    assert result["created"] == ["Project", "Generated", True]
    assert list(result["listed"].values()) == [["Project", "Generated"]]
