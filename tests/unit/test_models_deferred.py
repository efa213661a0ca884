"""A cold container builds no pydantic model of the package at import: every model is built on
first use (`defer_build`), so a function pays only for the models the requests it answers need.

One fresh interpreter imports every `functions/<group>/app.py` in turn, as Lambda would, and
after each import lists the `sandglass` model classes that are complete (`__pydantic_complete__`:
validator and serializer built), and the parametrized generic models (such as `RootModel[...]`)
a handler's import created (such as `RootModel[...]` as a base class), which are built at once whatever
their subclass's configuration says.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HANDLERS = sorted(path.parent.name for path in (ROOT / "functions").glob("*/app.py"))

PROBE = """
import importlib.util, json, sys
import pydantic

def models():
    seen, todo = set(), [pydantic.BaseModel]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    return seen

def ours(model):  # a package model, or a parametrized generic model created while a handler was imported
    return model.__module__.startswith("sandglass") or model.__pydantic_generic_metadata__["origin"] is not None

built = {}
before = {model for model in models() if model.__pydantic_complete__}
for name in sys.argv[1:]:
    spec = importlib.util.spec_from_file_location(f"handler_{name}", f"functions/{name}/app.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    complete = {model for model in models() if model.__pydantic_complete__} - before
    built[name] = sorted(f"{model.__module__}.{model.__qualname__}" for model in complete if ours(model))
    before |= complete
print(json.dumps(built))
"""


def test_no_model_of_the_package_is_built_when_a_handler_is_imported():
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "layers" / "domain"), str(ROOT / "scripts"), str(ROOT)]),
           "AWS_DEFAULT_REGION": "us-east-1", "TABLE_NAME": "sandglass"}
    run = subprocess.run([sys.executable, "-c", PROBE, *HANDLERS], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    built = json.loads(run.stdout.strip().splitlines()[-1])
    assert set(built) == set(HANDLERS)
    assert {name: models for name, models in built.items() if models} == {}


def test_the_probe_sees_a_model_built_at_import(tmp_path):
    """The check above would pass vacuously if it could not see a built model: a package model
    instantiated at import is reported."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "layers" / "domain"), str(ROOT / "scripts"), str(ROOT)]),
           "AWS_DEFAULT_REGION": "us-east-1", "TABLE_NAME": "sandglass"}
    handler = tmp_path / "functions" / "eager" / "app.py"
    handler.parent.mkdir(parents=True)
    handler.write_text("from sandglass.models import Empty\nEmpty()\nlambda_handler = None\n")
    run = subprocess.run([sys.executable, "-c", PROBE, "eager"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout.strip().splitlines()[-1]) == {"eager": ["sandglass.models.Empty"]}
