"""Read template.yaml: CloudFormation tags, functions, routes, environment, the table."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"


class _CfnLoader(yaml.SafeLoader):
    pass


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


_CfnLoader.add_multi_constructor("!", _tag)


@lru_cache(maxsize=4)
def load(path: str = str(TEMPLATE)) -> dict[str, Any]:
    return yaml.load(Path(path).read_text(), Loader=_CfnLoader)


@dataclass(frozen=True)
class GatewayResponse:
    """One of the REST API's GatewayResponses: what API Gateway itself answers (401, 403, 429…)."""

    status: int
    headers: dict[str, str]
    body: str


def gateway_responses(template: dict[str, Any] | None = None) -> dict[str, GatewayResponse]:
    """The REST API's GatewayResponses by type (UNAUTHORIZED, ACCESS_DENIED, THROTTLED…), with the
    status, the static headers (`'value'` literals) and the application/json template."""
    template = template or load()
    api = next(resource for resource in template["Resources"].values() if resource.get("Type") == "AWS::Serverless::Api")
    found: dict[str, GatewayResponse] = {}
    for kind, spec in (api["Properties"].get("GatewayResponses") or {}).items():
        headers = {name: value.strip("'") for name, value in ((spec.get("ResponseParameters") or {}).get("Headers") or {}).items()}
        status = int(spec.get("StatusCode", 0)) or 0
        found[kind] = GatewayResponse(status, {"Content-Type": "application/json", **headers},
                                      (spec.get("ResponseTemplates") or {}).get("application/json", ""))
    return found


@dataclass
class Route:
    method: str
    path: str
    function: str
    public: bool = False  # `Auth: {Authorizer: NONE}`: API Gateway calls the function without the authorizer
    pattern: re.Pattern = field(repr=False, default=None)

    def __post_init__(self):
        regex = re.sub(r"\\{(\w+)\\}", r"(?P<\1>[^/]+)", re.escape(self.path))
        self.pattern = re.compile(f"^{regex}/?$")


@dataclass
class Function:
    logical_id: str
    code_uri: Path
    handler: str
    environment: dict[str, Any]
    events: dict[str, Any]


def functions(template: dict[str, Any] | None = None) -> dict[str, Function]:
    template = template or load()
    globals_env = template.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
    found = {}
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        props = resource["Properties"]
        env = {**globals_env, **props.get("Environment", {}).get("Variables", {})}
        found[logical_id] = Function(logical_id, ROOT / props["CodeUri"], props["Handler"], env, props.get("Events", {}))
    return found


def routes(template: dict[str, Any] | None = None) -> list[Route]:
    found = []
    for fn in functions(template).values():
        for event in fn.events.values():
            if event["Type"] == "Api":
                public = (event["Properties"].get("Auth") or {}).get("Authorizer") == "NONE"
                found.append(Route(event["Properties"]["Method"].upper(), event["Properties"]["Path"], fn.logical_id, public))
    # literal segments win over parameters, as in API Gateway
    found.sort(key=lambda route: (route.path.count("{"), -len(route.path)))
    return found


def authorizer_function(template: dict[str, Any] | None = None) -> str:
    template = template or load()
    api = next(r for r in template["Resources"].values() if r["Type"] == "AWS::Serverless::Api")
    auth = api["Properties"]["Auth"]
    return auth["Authorizers"][auth["DefaultAuthorizer"]]["FunctionArn"]["Fn::GetAtt"][0]


def table_definition(template: dict[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
    template = template or load()
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] == "AWS::DynamoDB::Table":
            return logical_id, resource["Properties"]
    raise LookupError("template.yaml declares no AWS::DynamoDB::Table")


def resolve_environment(env: dict[str, Any], *, table_name: str, overrides: dict[str, str] | None = None) -> dict[str, str]:
    """Turn the template's environment into plain strings for a local run."""
    template = load()
    table_logical, _ = table_definition(template)
    params = {name: str(p.get("Default", "")) for name, p in template.get("Parameters", {}).items()}
    resolved = {}
    for name, value in env.items():
        if isinstance(value, dict) and "Ref" in value:
            ref = value["Ref"]
            value = table_name if ref == table_logical else params.get(ref, "")
        elif isinstance(value, dict):
            continue
        resolved[name] = str(value)
    resolved.update(overrides or {})
    return resolved


def create_table(client, name: str) -> None:
    """Create the table exactly as the template declares it (keys, GSIs, stream, TTL)."""
    _, props = table_definition()
    params = {
        "TableName": name,
        "KeySchema": props["KeySchema"],
        "AttributeDefinitions": props["AttributeDefinitions"],
        "BillingMode": props["BillingMode"],
    }
    if props.get("GlobalSecondaryIndexes"):
        params["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
    if props.get("StreamSpecification"):
        params["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
    client.create_table(**params)
    ttl = props.get("TimeToLiveSpecification")
    if ttl:
        client.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
