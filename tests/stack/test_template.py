"""template.yaml: translated with the SAM translator (offline) and checked against what the code serves."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from sandglass_local import template as tpl

ROOT = Path(__file__).resolve().parents[2]
ROUTE_GROUPS = ["Workspace", "Activities", "Projects", "Users", "Reports", "Geofences", "Requests", "Timesheets", "Billing", "Catalog", "Sonderplan"]
# The Clockify v1 surface's route groups (docs/clockify.md): every /v1/... route is theirs
CLOCKIFY_GROUPS = ["ClockifyWorkspace", "ClockifyProjects", "ClockifyTime", "ClockifyCatalog", "ClockifyWebhooks"]
CLOCKIFY_PREFIX = "/v1/"
CLOCKIFY_ROOTS = ("/v1/user", "/v1/workspaces")  # 4me's /v1/timesheets is not Clockify's


def _clockify(path: str) -> bool:
    return any(path == root or path.startswith(root + "/") for root in CLOCKIFY_ROOTS)


@pytest.fixture(scope="module")
def translated() -> dict:
    from samtranslator.translator.transform import transform

    class NoManagedPolicies:
        def load(self):
            return {}

    template = copy.deepcopy(tpl.load())
    for resource in template["Resources"].values():
        props = resource.get("Properties", {})
        for field in ("CodeUri", "ContentUri"):
            if isinstance(props.get(field), str):
                props[field] = f"s3://sandglass-artifacts/{props[field].strip('/').replace('/', '-')}.zip"
    params = {name: p.get("Default", "") for name, p in template.get("Parameters", {}).items()}
    params.update({"AWS::Region": "us-east-1", "AWS::AccountId": "123456789012", "AWS::Partition": "aws"})
    return transform(template, params, NoManagedPolicies())


def _of_type(template: dict, kind: str) -> dict:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


def test_every_function_uses_the_domain_layer(translated):
    functions = _of_type(translated, "AWS::Lambda::Function")
    expected = {f"{group}Function" for group in ROUTE_GROUPS + CLOCKIFY_GROUPS} | {"AuthorizerFunction", "AutoLockFunction", "RemindersFunction", "PurgeFunction", "OpenApiFunction", "McpFunction",
                                                                                     "FeedFunction", "ChangesStreamFunction", "WebhookDeliveryFunction"}
    assert set(functions) == expected
    for name, fn in functions.items():
        assert fn["Properties"]["Layers"] == [{"Ref": "DomainLayer"}] or any("DomainLayer" in json.dumps(layer) for layer in fn["Properties"]["Layers"]), name
        assert fn["Properties"]["Runtime"] == "python3.13"
        assert fn["Properties"]["Architectures"] == ["arm64"]
        assert fn["Properties"]["Handler"] == "app.lambda_handler"


def test_the_runtime_is_one_setting_the_layer_follows():
    """Functions take Runtime and Architectures from Globals only; the layer (which Globals do not
    reach) is built for and declares the same runtime and architecture."""
    template = tpl.load()
    runtime, architectures = template["Globals"]["Function"]["Runtime"], template["Globals"]["Function"]["Architectures"]
    assert (runtime, architectures) == ("python3.13", ["arm64"])
    for name, resource in template["Resources"].items():
        if resource["Type"] == "AWS::Serverless::Function":
            assert "Runtime" not in resource["Properties"] and "Architectures" not in resource["Properties"], name
    layer = template["Resources"]["DomainLayer"]
    assert layer["Properties"]["CompatibleRuntimes"] == [runtime] and layer["Metadata"]["BuildMethod"] == runtime
    assert layer["Properties"]["CompatibleArchitectures"] == architectures == [layer["Metadata"]["BuildArchitecture"]]


def test_table_keys_indexes_ttl_stream_pitr(translated):
    table = _of_type(translated, "AWS::DynamoDB::Table")["Table"]["Properties"]
    assert [k["AttributeName"] for k in table["KeySchema"]] == ["PK", "SK"]
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert {g["IndexName"] for g in table["GlobalSecondaryIndexes"]} == {"GSI1", "GSI2", "GSI3", "GSI4"}
    assert all(g["Projection"]["ProjectionType"] == "ALL" for g in table["GlobalSecondaryIndexes"])
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expiresAt", "Enabled": True}
    assert table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert table["StreamSpecification"]["StreamViewType"]


def test_schedules_every_15_minutes(translated):
    schedules = _of_type(translated, "AWS::Scheduler::Schedule")
    targets = {json.dumps(s["Properties"]["Target"]["Arn"]) for s in schedules.values()}
    assert any("AutoLockFunction" in t for t in targets) and any("RemindersFunction" in t for t in targets)
    for schedule in schedules.values():
        assert schedule["Properties"]["ScheduleExpression"] == "rate(15 minutes)"
        assert "<aws.scheduler.scheduled-time>" in schedule["Properties"]["Target"]["Input"]


def test_api_has_request_authorizer_and_every_route(translated):
    apis = _of_type(translated, "AWS::ApiGateway::RestApi")
    body = next(iter(apis.values()))["Properties"]["Body"]
    authorizers = body["securityDefinitions"]
    assert any(a.get("x-amazon-apigateway-authtype") == "custom" and a["x-amazon-apigateway-authorizer"]["type"] == "request" for a in authorizers.values())
    served = {(method.upper(), path) for path, methods in body["paths"].items() for method in methods if method.upper() in {"GET", "POST", "PUT", "DELETE", "PATCH"}}
    declared = {(r.method, r.path) for r in tpl.routes()}
    assert served == declared
    # each route group's function serves exactly its own paths
    for path, methods in body["paths"].items():
        for method, operation in methods.items():
            if method.upper() not in {"GET", "POST", "PUT", "DELETE", "PATCH"}:
                continue
            uri = json.dumps(operation.get("x-amazon-apigateway-integration", {}).get("uri", ""))
            owner = next(r.function for r in tpl.routes() if r.path == path and r.method == method.upper())
            assert owner in uri, (method, path, owner)


def test_reference_routes_are_all_declared():
    """Every route of the Sandtime reference (tests/stack/sandtime_routes.txt) is in the template,
    and every other route is one of our listed additions."""
    from tests.stack.sandtime_routes import load

    expected = load()
    declared = {(r.method, r.path) for r in tpl.routes() if not _clockify(r.path)}
    assert len(expected) > 50 and expected <= declared
    assert declared - expected == ADDITIONS


def test_clockify_routes_belong_to_the_clockify_groups():
    """Every /v1/... route is served by a Clockify route group, and those serve nothing else
    (the Clockify surface's operations are checked by tests/contract/test_clockify_replay.py)."""
    routes = tpl.routes()
    clockify = {f"{group}Function" for group in CLOCKIFY_GROUPS}
    assert {r.function for r in routes if _clockify(r.path)} == clockify
    assert all(_clockify(r.path) for r in routes if r.function in clockify)


TIMESHEET_READS = {("GET", "/timesheets"), ("GET", "/timesheets/dayTotals"), ("GET", "/timesheets/incomplete")}
# 4me-style date unlock (DELETE with query; the 4me lock shares POST /timesheets/lock) and the list of locks
TIMESHEET_LOCKS = {("DELETE", "/timesheets/lock"), ("GET", "/timesheets/locks")}
# A saved report's results and an unsaved definition's (the reference only stores definitions)
REPORT_RESULTS = {("GET", "/reports/{reportId}/results"), ("POST", "/reports/results")}
# Reading requests, asking for a support sign-in (the reference only resolves those) and using one
REQUESTS = {("GET", "/requests"), ("GET", "/requests/{requestId}"), ("POST", "/requests/impersonation"), ("POST", "/auth/impersonation")}
# Routes beyond the reference: sign-up (the reference leaves it to its web app), the health check,
# the OpenAPI document, the 4me-style timesheet reads and locks, report results and the requests above.
# The MCP server for agents and its guide (the reference's introduction names both)
MCP = {("POST", "/mcp"), ("GET", "/mcp"), ("GET", "/SKILL.md")}
# Re-rating activities by today's rate windows: preview, then apply (README: Rates)
RERATE = {("POST", "/activities/rerate/preview"), ("POST", "/activities/rerate/apply")}
# a person's personal API keys (X-Api-Key)
API_KEYS = {("GET", "/api-keys"), ("POST", "/api-keys"), ("POST", "/api-keys/{keyId}/rotate"), ("DELETE", "/api-keys/{keyId}")}
# the organization's change feed (docs/changes.md)
CHANGES = {("GET", "/changes")}
# outbound webhooks (docs/webhooks.md)
WEBHOOKS = {("GET", "/webhooks"), ("POST", "/webhooks"), ("GET", "/webhooks/{webhookId}"), ("PUT", "/webhooks/{webhookId}"),
            ("DELETE", "/webhooks/{webhookId}"), ("POST", "/webhooks/{webhookId}/token"), ("GET", "/webhooks/{webhookId}/deliveries")}
# tags, clients and a project's tasks (docs/catalog.md): the entities Clockify has and the reference lacks
CATALOG = {(method, path) for base, item in (("/tags", "/tags/{tagId}"), ("/clients", "/clients/{clientId}"),
                                            ("/projects/{projectId}/tasks", "/projects/{projectId}/tasks/{taskId}"))
           for method, path in (("GET", base), ("POST", base), ("GET", item), ("PUT", item), ("DELETE", item))}
# groups of people, and the 4me Timesheets dialect (docs/fourme.md)
GROUPS = {("GET", "/groups"), ("POST", "/groups"), ("GET", "/groups/{groupId}"), ("PUT", "/groups/{groupId}"), ("DELETE", "/groups/{groupId}"),
          ("GET", "/groups/{groupId}/members"), ("PUT", "/groups/{groupId}/members/{userId}")}
FOURME = {("GET", "/v1/timesheets"), ("GET", "/v1/timesheets/day_totals"), ("GET", "/v1/timesheets/incomplete"),
          ("POST", "/v1/timesheets/lock"), ("DELETE", "/v1/timesheets/lock")}
# the Sonderplan dialect: its time entry and the reads that check it (docs/sonderplan.md)
SONDERPLAN = {("POST", "/v2/time-entry"), ("GET", "/v2/time-entry"), ("GET", "/v2/time-entry/{entry_id}")}
ADDITIONS = ({("POST", "/organizations"), ("GET", "/health"), ("GET", "/openapi.json"), ("GET", "/openapi/clockify.json")}
             | TIMESHEET_READS | TIMESHEET_LOCKS | REPORT_RESULTS | REQUESTS | MCP | RERATE | API_KEYS | CHANGES | WEBHOOKS | CATALOG
             | GROUPS | FOURME | SONDERPLAN)


def test_environment_and_policy_references_resolve():
    """cfn-lint does not check !Ref inside a serverless function's Environment/Policies: do it here."""
    template = tpl.load()
    known = set(template["Resources"]) | set(template.get("Parameters", {})) | {"AWS::Region", "AWS::AccountId", "AWS::Partition", "AWS::NoValue", "AWS::StackName"}

    def refs(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "Ref":
                    yield value
                elif key == "Fn::GetAtt":
                    yield value[0] if isinstance(value, list) else value.split(".")[0]
                elif key == "Fn::Sub":
                    text = value if isinstance(value, str) else value[0]
                    yield from (name.split(".")[0] for name in re.findall(r"\$\{([^}!]+)\}", text))
                else:
                    yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    for name, resource in template["Resources"].items():
        props = resource.get("Properties", {})
        for field in ("Environment", "Policies"):
            for ref in refs(props.get(field, {})):
                assert ref in known, f"{name}.{field} refers to unknown {ref}"
    for ref in refs(template.get("Globals", {})):
        assert ref in known, f"Globals refers to unknown {ref}"


def test_function_policies_are_least_privilege():
    template = tpl.load()
    for name, resource in template["Resources"].items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        for policy in resource["Properties"].get("Policies", []):
            assert isinstance(policy, dict) and "Statement" in policy, f"{name}: use explicit statements"
            for statement in policy["Statement"]:
                actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
                assert not any(a.endswith(":*") or a == "*" for a in actions), f"{name} grants a wildcard"
                assert "dynamodb:Scan" not in actions, f"{name} may Scan"


def test_every_function_has_a_sample_event():
    events = {p.name for p in (ROOT / "events").glob("*.json")}
    for fn in tpl.functions().values():
        folder = fn.code_uri.name
        assert any(e.startswith(folder) or e.startswith(folder.split("_")[0]) for e in events), f"no events/ sample for {folder}"


def test_the_webhook_queue_fits_its_worker_and_retry_window():
    """Lambda refuses an SQS source whose visibility timeout is below the function's timeout (6x is
    its advice); the queue keeps messages longer than the retry window; the redrive count is the
    worker's number of attempts; order needs a FIFO queue and a FIFO dead-letter queue."""
    from sandglass.adapters.delivery_queue import MAX_RECEIVES, VISIBILITY_TIMEOUT
    from sandglass.services.webhook_delivery import BACKOFF

    resources = tpl.load()["Resources"]
    queue, dead = resources["WebhookQueue"]["Properties"], resources["WebhookDeadLetterQueue"]["Properties"]
    worker = resources["WebhookDeliveryFunction"]["Properties"]
    assert queue["VisibilityTimeout"] == VISIBILITY_TIMEOUT >= 6 * worker["Timeout"]
    assert queue["MessageRetentionPeriod"] > sum(BACKOFF) + VISIBILITY_TIMEOUT
    assert queue["RedrivePolicy"]["maxReceiveCount"] == MAX_RECEIVES
    assert queue["FifoQueue"] and dead["FifoQueue"]
    assert worker["Events"]["Queued"]["Properties"]["BatchSize"] * 8 <= worker["Timeout"]  # 3 s connect + 5 s read per attempt


def test_every_authorized_method_is_throttled_by_the_key_the_authorizer_names(translated):
    """Throttling per workspace at the edge (docs/clockify.md, Throttling): API keys come from the
    authorizer (never from clients), every method behind the authorizer needs one, public ones none."""
    api = next(iter(_of_type(translated, "AWS::ApiGateway::RestApi").values()))
    assert api["Properties"]["ApiKeySourceType"] == "AUTHORIZER"
    body = api["Properties"]["Body"]
    public = {(r.method, r.path) for r in tpl.routes() if r.public}
    assert public and len(public) < len(tpl.routes())
    for path, methods in body["paths"].items():
        for method, operation in methods.items():
            if method.upper() not in {"GET", "POST", "PUT", "DELETE", "PATCH"}:
                continue
            schemes = {name for requirement in operation.get("security", []) for name in requirement}
            if (method.upper(), path) in public:
                assert schemes == set(), (method, path)
            else:
                assert schemes == {"OrganizationAuthorizer", "api_key"}, (method, path)


def test_usage_plans_throttle_each_workspace_at_50_a_second(translated):
    params = tpl.load()["Parameters"]
    assert params["WorkspaceRateLimit"]["Default"] == 50 and params["WorkspaceBurstLimit"]["Default"] == 50
    resources = translated["Resources"]
    stage = next(name for name, resource in resources.items() if resource["Type"] == "AWS::ApiGateway::Stage")
    for plan, rate in (("WorkspaceUsagePlan", "WorkspaceRateLimit"), ("AccountRoutesUsagePlan", "AccountRoutesRateLimit")):
        properties = resources[plan]["Properties"]
        assert properties["ApiStages"] == [{"ApiId": {"Ref": "Api"}, "Stage": {"Ref": stage}}]
        assert properties["Throttle"]["RateLimit"] == {"Ref": rate}
    # the account routes' one shared key, with the value the authorizer names for them
    from sandglass.ports.throttle import ACCOUNT_THROTTLE_KEY

    assert resources["AccountRoutesApiKey"]["Properties"]["Value"] == ACCOUNT_THROTTLE_KEY
    assert resources["AccountRoutesUsagePlanKey"]["Properties"] == {"KeyId": {"Ref": "AccountRoutesApiKey"}, "KeyType": "API_KEY",
                                                                    "UsagePlanId": {"Ref": "AccountRoutesUsagePlan"}}
    # the organization-creating function adds each new organization's key to the workspaces' plan
    workspace = tpl.load()["Resources"]["WorkspaceFunction"]["Properties"]
    assert workspace["Environment"]["Variables"]["THROTTLE_USAGE_PLAN_ID"] == {"Ref": "WorkspaceUsagePlan"}
    statements = workspace["Policies"][0]["Statement"]
    gateway = [s for s in statements if any(action.startswith("apigateway:") for action in s["Action"])]
    assert [sorted(s["Action"]) for s in gateway] == [["apigateway:GET", "apigateway:POST"]]
    assert json.dumps(gateway[0]["Resource"]).count("apigateway") == 2 and "/usageplans/${WorkspaceUsagePlan}/keys" in json.dumps(gateway[0]["Resource"])


def test_gateway_responses_carry_both_surfaces_error_fields():
    """Gateway-response templates are not VTL: one body per type, read by both surfaces' clients."""
    responses = tpl.load()["Resources"]["Api"]["Properties"]["GatewayResponses"]
    expected = {
        "UNAUTHORIZED": ("401", "UNAUTHORIZED", {"description": "Full authentication is required to access this resource", "code": 1000}),
        "ACCESS_DENIED": ("403", "FORBIDDEN", {"message": "User doesn't belong to Workspace", "code": 403}),
        "THROTTLED": ("429", "THROTTLED", {"message": "Too many requests", "code": 429}),
    }
    for kind, (status, sandtime_code, clockify) in expected.items():
        template = responses[kind]["ResponseTemplates"]["application/json"]
        assert "#" not in template and "$" not in template, kind  # no VTL: sent as written
        body = json.loads(template)
        assert responses[kind]["StatusCode"] == status
        assert body["error"]["code"] == sandtime_code and set(body["error"]) == {"code", "message"}
        assert {key: body[key] for key in clockify} == clockify
    assert responses["THROTTLED"]["ResponseParameters"]["Headers"]["Retry-After"] == "'1'"


def test_report_cells_not_kept_raise_an_alarm():
    """RollupDaysDirty (counted by the change-log consumer when a member-day is marked dirty) alarms
    at one in five minutes, on the namespace and service every function writes its metrics with; no
    data is not a breach. The alarm notifies the AlarmTopicArn parameter's topic when one is given."""
    template = tpl.load()
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    alarm = template["Resources"]["RollupDaysDirtyAlarm"]["Properties"]
    assert "RollupDaysDirty" in (ROOT / "functions" / "changes_stream" / "app.py").read_text()
    assert (alarm["Namespace"], alarm["MetricName"]) == (variables["POWERTOOLS_METRICS_NAMESPACE"], "RollupDaysDirty")
    assert alarm["Dimensions"] == [{"Name": "function", "Value": {"Ref": "ChangesStreamFunction"}},
                                   {"Name": "service", "Value": variables["POWERTOOLS_SERVICE_NAME"]}]
    assert (alarm["Statistic"], alarm["Period"], alarm["EvaluationPeriods"]) == ("Sum", 300, 1)
    assert (alarm["ComparisonOperator"], alarm["Threshold"], alarm["TreatMissingData"]) == ("GreaterThanOrEqualToThreshold", 1, "notBreaching")
    notify = {"Fn::If": ["HasAlarmTopic", [{"Ref": "AlarmTopicArn"}], {"Ref": "AWS::NoValue"}]}
    assert alarm["AlarmActions"] == alarm["OKActions"] == notify
    assert template["Parameters"]["AlarmTopicArn"]["Default"] == ""
    assert template["Conditions"]["HasAlarmTopic"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "AlarmTopicArn"}, ""]}]}


def test_stream_records_the_consumer_gave_up_on_raise_an_alarm():
    """A record that leaves the stream unhandled lands in ChangeFailuresQueue (the stream mapping's
    on-failure destination); one message there alarms, on the same topic as the other alarms."""
    resources = tpl.load()["Resources"]
    mapping = resources["ChangesStreamFunction"]["Properties"]["Events"]["TableChanged"]["Properties"]
    assert mapping["DestinationConfig"]["OnFailure"]["Destination"] == {"Fn::GetAtt": ["ChangeFailuresQueue", "Arn"]}
    alarm = resources["ChangeFailuresAlarm"]["Properties"]
    assert (alarm["Namespace"], alarm["MetricName"], alarm["Statistic"]) == ("AWS/SQS", "ApproximateNumberOfMessagesVisible", "Maximum")
    assert alarm["Dimensions"] == [{"Name": "QueueName", "Value": {"Fn::GetAtt": ["ChangeFailuresQueue", "QueueName"]}}]
    assert (alarm["ComparisonOperator"], alarm["Threshold"], alarm["TreatMissingData"]) == ("GreaterThanOrEqualToThreshold", 1, "notBreaching")
    assert alarm["AlarmActions"] == resources["RollupDaysDirtyAlarm"]["Properties"]["AlarmActions"]
