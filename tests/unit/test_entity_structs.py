"""The value types are msgspec Structs: the dataclass behaviour the code relies on still holds."""

from __future__ import annotations

import importlib
import json
import pkgutil
from datetime import date, datetime, timezone

import msgspec
import pytest
from msgspec.structs import asdict, replace

import sandglass.entities
from sandglass.entities.activities import Activity
from sandglass.entities.catalog import CatalogEntry, Tag, Task
from sandglass.entities.locks import LockState, WeekLock
from sandglass.entities.organizations import Locking, OrganizationSettings
from sandglass.ports.notifier import Notification
from sandglass.repositories.activities import OPEN_LOWER, OPEN_UPPER, ReadSet, TimeWindow
from sandglass.services.activities.listing import ActivityQuery
from sandglass.services.activities.rules import ActivityList
from sandglass.services.purge import SweepResult

T0 = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)


def entity_classes() -> list[type]:
    found = []
    for module in pkgutil.iter_modules(sandglass.entities.__path__):
        loaded = importlib.import_module(f"sandglass.entities.{module.name}")
        found += [value for value in vars(loaded).values()
                  if isinstance(value, type) and issubclass(value, msgspec.Struct) and value.__module__ == loaded.__name__]
    return found


def activity(**changes) -> Activity:
    return Activity(**{"id": "a1", "user_id": "u1", "project_id": "p1", "started_at": T0, "ended_at": None, "version": 1, **changes})


def test_every_entity_is_a_frozen_keyword_only_struct():
    classes = entity_classes()
    assert len(classes) > 50
    for cls in classes:
        assert cls.__struct_config__.frozen, cls
        # msgspec's kw_only is per class (not inherited): every entity repeats it
        assert cls.__match_args__ == (), cls


def test_no_shipped_module_declares_a_dataclass():
    """Value types under the domain layer and the functions are Structs: a dataclass costs a cold
    start ~0.5 ms to create, a Struct ~0.01 ms."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    sources = [*(root / "layers" / "domain" / "sandglass").rglob("*.py"), *(root / "functions").rglob("*.py")]
    declaring = [str(path.relative_to(root)) for path in sources if "@dataclass" in path.read_text()]
    assert declaring == []


def test_entities_refuse_positional_arguments_and_assignment():
    with pytest.raises(TypeError):
        Tag("t1", "urgent")
    tag = Tag(id="t1", name="urgent")
    with pytest.raises(AttributeError):
        tag.name = "other"


def test_entities_compare_and_hash_by_value_and_type():
    assert activity() == activity()
    assert hash(activity()) == hash(activity())
    assert activity() != activity(version=2)
    assert {activity(), activity()} == {activity()}
    assert CatalogEntry(id="t1", name="x") != Tag(id="t1", name="x")  # same fields, another type


def test_subclassed_entities_keep_the_base_fields_and_defaults():
    task = Task(id="k1", name="Write", project_id="p1")
    assert (task.version, task.status, task.assignee_ids) == (1, "ACTIVE", ())
    assert isinstance(task, CatalogEntry)


def test_replace_returns_a_changed_copy():
    before = activity()
    after = replace(before, ended_at=T0, version=2)
    assert (after.ended_at, after.version, after.id) == (T0, 2, "a1")
    assert before.ended_at is None and before.version == 1
    nested = OrganizationSettings(name="Acme")
    moved = replace(nested, locking=replace(nested.locking, year=2026, week=9))
    assert moved.locking == Locking(year=2026, week=9) and nested.locking == Locking()


def test_default_factories_give_each_instance_its_own_value():
    first, second = ReadSet(), ReadSet()
    first.projects["p1"] = {"id": "p1"}
    assert second.projects == {}
    assert LockState(user_id=None).weeks == {} and OrganizationSettings(name="a").core_hours is not OrganizationSettings(name="b").core_hours


def test_positional_construction_of_the_non_keyword_only_types():
    listed = ActivityList({"a1": activity()}, "next", 2)
    assert (listed.cursor, listed.pages) == ("next", 2)
    assert TimeWindow() == TimeWindow(OPEN_LOWER, OPEN_UPPER)
    assert ActivityQuery().window == TimeWindow("0", "~")


def test_asdict_is_shallow_and_encodes_like_before():
    note = Notification(to="a@example.com", subject="Hi", text="Hello", data={"week": "2026-W10"})
    assert json.dumps(asdict(note)) == '{"to": "a@example.com", "subject": "Hi", "text": "Hello", "kind": "message", "data": {"week": "2026-W10"}}'
    assert asdict(SweepResult(pending=2)) == {"pending": 2, "resumed": 0, "finished": 0, "failed": 0}


def test_mutable_results_accumulate_but_take_no_unknown_attributes():
    result = SweepResult()
    result.finished += 1
    assert result.finished == 1
    with pytest.raises(AttributeError):
        result.unknown = 1  # type: ignore[attr-defined]


def test_week_locks_work_as_keys():
    lock = WeekLock(id="w1", user_id="u1", year=2026, week=10, created_at=T0, updated_at=T0)
    assert {lock: date(2026, 3, 2)}[replace(lock)] == date(2026, 3, 2)
