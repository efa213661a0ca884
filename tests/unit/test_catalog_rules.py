"""The catalog's pure decisions: changes to an entity, and what an activity write must check."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from sandglass.entities.activities import Activity
from sandglass.entities.catalog import Tag, Task
from sandglass.errors import ValidationFailed
from sandglass.services.activities.references import references_to_check, with_references
from sandglass.services.catalog import TAG_FIELDS, TASK_FIELDS, changed

NOW = datetime(2026, 7, 15, 12, tzinfo=timezone.utc)


def entry(**fields) -> Activity:
    return Activity(id="a", user_id="u", project_id=fields.pop("project_id", "p"), started_at=NOW, **fields)


def test_a_change_bumps_the_version_and_refuses_unknown_fields_and_statuses():
    tag = Tag(id="t", name="Urgent", version=3)
    renamed = changed(tag, {"name": "Later"}, TAG_FIELDS, NOW)
    assert (renamed.name, renamed.version, renamed.updated_at, tag.name) == ("Later", 4, NOW, "Urgent")
    with pytest.raises(ValueError):
        changed(tag, {"color": "red"}, TAG_FIELDS, NOW)
    with pytest.raises(ValidationFailed):
        changed(Task(id="k", project_id="p", name="Design"), {"status": "ALL"}, TASK_FIELDS, NOW)


def test_a_new_activity_checks_its_task_and_every_tag_once():
    created = with_references(entry(), "k", ["t1", "t2", "t1"])
    assert created.tag_ids == ("t1", "t2")
    assert references_to_check(None, created) == ("k", ["t1", "t2"])
    assert references_to_check(None, entry()) == (None, [])


def test_an_update_checks_only_what_it_adds_or_moves():
    current = with_references(entry(), "k", ["t1"])
    renamed = with_references(entry(name="x"), "k", ["t1"])
    assert references_to_check(current, renamed) == (None, [])  # an archived tag already on it stays valid
    assert references_to_check(current, with_references(entry(), "k", ["t1", "t2"])) == (None, ["t2"])
    assert references_to_check(current, with_references(entry(project_id="q"), "k", ["t1"])) == ("k", [])  # moved with its task
    assert references_to_check(current, with_references(entry(), None, [])) == (None, [])
