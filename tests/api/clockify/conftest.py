"""What the Clockify surface's tests share: a call through the gateway emulation the way a Clockify
client makes it, and a workspace with a member and a project."""

from __future__ import annotations

import pytest

from sandglass import ids

ADMIN = "admin@acme.test"
ANN = "ann@acme.test"


def cf(api, method, path, as_=ADMIN, **kwargs):
    """A Clockify call: no X-Organization, the workspace is in the path."""
    return api.call(method, "/api/v1" + path, as_=as_, **kwargs)


@pytest.fixture
def world(api, acme, seed):
    """acme as a workspace: Ann (User) and the Administrator on one project."""
    ann = seed.member("acme", ANN)
    org_id = seed.org_id("acme")
    admin = ids.member_id(org_id, ADMIN)
    project = seed.project("acme", members={ann["id"]: "User", admin: "Administrator"})
    return {"ws": ids.short_id(org_id), "org_id": org_id, "project": project, "pid": ids.short_id(project["id"]), "ann": ann,
            "admin": admin}
