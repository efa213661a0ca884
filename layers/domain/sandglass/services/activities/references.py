"""An activity's task and tags: filed under them (repeats dropped), and what a write must check
about them in its transaction (a task of the activity's project, tags that exist)."""

from __future__ import annotations

from msgspec.structs import replace

from sandglass.entities.activities import Activity
from sandglass.errors import ValidationFailed
from sandglass.repositories.catalog import CatalogRepository, UnitOfWork


def with_references(activity: Activity, task_id: str | None, tag_ids) -> Activity:
    """The activity filed under `task_id` and `tag_ids` (repeats dropped, order kept)."""
    return replace(activity, task_id=task_id, tag_ids=tuple(dict.fromkeys(tag_ids or ())))


def references_to_check(before: Activity | None, after: Activity) -> tuple[str | None, list[str]]:
    """What an activity write must check in its transaction: a task newly set, or kept while the
    activity moves to another project (must be an ACTIVE task of that project), and the tags newly
    added (must exist, not archived). Tags already on the activity stay valid after they are
    archived, as in Clockify."""
    moved = before is None or after.task_id != before.task_id or after.project_id != before.project_id
    kept = set(before.tag_ids) if before is not None else set()
    return (after.task_id if after.task_id and moved else None), [tag for tag in after.tag_ids if tag not in kept]


def stage_activity_references(tx: UnitOfWork, org_id: str, before: Activity | None, after: Activity,
                              repository: CatalogRepository | None = None) -> None:
    """Stage references_to_check into the activity's unit of work (nothing when nothing is new)."""
    task_id, tag_ids = references_to_check(before, after)
    if task_id is not None and after.project_id is None:
        raise ValidationFailed.field("taskId", "A task belongs to a project: an activity without a project has no task")
    if task_id is not None or tag_ids:
        (repository or CatalogRepository(tx.table)).stage_activity_references(tx, org_id, after.project_id, task_id, tag_ids)
