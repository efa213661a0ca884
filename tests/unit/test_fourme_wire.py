"""The 4me dialect's error bodies and id mapping, without HTTP."""

from __future__ import annotations

import json

import pytest

from sandglass.context import TenantContext
from sandglass.dialects.fourme import errors
from sandglass.dialects.fourme.ids import IntegerIds
from sandglass.errors import Forbidden, NotFound, ValidationFailed

TENANT = TenantContext(org_id="org-1", domain="acme", user_id="u-1", email="a@acme.test", role="Administrator")


@pytest.mark.parametrize("path, served", [("/api/v1/timesheets", True), ("/v1/timesheets/lock", True), ("/api/v1/timesheets/day_totals", True),
                                          ("/api/timesheets", False), ("/api/v1/timesheetsx", False), ("/api/v1/workspaces", False)])
def test_the_dialect_serves_only_its_paths(path, served):
    assert errors.serves(path) is served


def test_a_domain_error_keeps_its_status_and_names_the_parameter():
    missing = errors.from_domain(ValidationFailed.field("month_of", "month_of is required (yyyy-mm-dd)", "query"))
    assert (missing.status_code, json.loads(missing.body)) == (422, {"message": "month_of: month_of is required (yyyy-mm-dd)"})
    refused = errors.from_domain(Forbidden("Not yours"))
    assert (refused.status_code, json.loads(refused.body)) == (403, {"message": "Not yours"})


def test_a_validation_failure_is_422_naming_the_parameter():
    reply = errors.from_validation([{"type": "less_than_equal", "loc": ("query", "per_page"), "msg": "Input should be less than or equal to 100"}])
    assert (reply.status_code, json.loads(reply.body)) == (422, {"message": "per_page: Input should be less than or equal to 100"})
    assert json.loads(errors.from_validation([]).body) == {"message": "The request is invalid"}


class Resolver:
    def __init__(self, known):
        self.known, self.asked = known, []

    def resolve(self, org_id, kind, value):
        self.asked.append((org_id, kind, value))
        return self.known.get((kind, value))


def test_ids_in_resolve_in_the_callers_organization_and_unknown_ones_are_404():
    resolver = Resolver({("person", "77"): "uuid-77", ("group", "44"): "uuid-44"})
    ids = IntegerIds(resolver)
    assert (ids.person_in(TENANT, "77"), ids.group_in(TENANT, " 44 "), ids.person_in(TENANT, None)) == ("uuid-77", "uuid-44", None)
    assert resolver.asked == [("org-1", "person", "77"), ("org-1", "group", "44")]
    with pytest.raises(NotFound, match="Person not found"):
        ids.person_in(TENANT, "78")
    with pytest.raises(NotFound, match="Organization not found"):
        ids.group_in(TENANT, "45")


def test_ids_out_are_the_integer_or_the_uuid_before_the_backfill():
    ids = IntegerIds(Resolver({}))
    assert ids.person_out("uuid-77", 77) == 77
    assert ids.person_out("uuid-77", None) == "uuid-77"
