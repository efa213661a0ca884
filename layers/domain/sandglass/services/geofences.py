"""Geofences: circles an organization's Administrators define, and the enter/exit events members'
devices send, which start and stop timers.

Rules
-----
- Everybody in the organization reads geofences; only organization Administrators create, update
  and delete them (403 otherwise). Another organization's (or an unknown) id is 404. PUT and
  DELETE honour If-Match (412 when stale).
- Validation (422): latitude -90..90, longitude -180..180, radius 10..50,000 m; ``enterAction``
  START_TRACKING_PROJECT needs a ``projectId``; a project, when given, exists in the organization
  and is not archived (checked again in the write's transaction).
- Enter (``POST /geofencing/enter``): the geofences containing the point (haversine distance to
  the centre <= radius) are found through their geohash cells (sandglass.geo); the nearest centre
  wins (ties: the smaller id). Its enter action runs for the caller:
    * START_TRACKING_PROJECT: a running timer on the geofence's project;
    * START_TRACKING: a running timer on the project of the caller's most recent activity (what
      they last worked on), or the geofence's project when they have none (409 NO_PROJECT when
      neither exists);
    * NONE, or no geofence contains the point: nothing happens, the answer is ``null``.
  The timer is named after the geofence, starts now, records ``geofenceId`` on the activity and
  is created through ActivityService, so every activity rule holds: a running (manual) timer is
  stopped at the new start, the caller must be a member of the project, locks apply. When a rule
  refuses the timer, the answer is 409 GEOFENCE_ACTION_REFUSED with the rule's details. Entering
  while the timer this geofence started still runs returns that timer (also when two enter events
  race: the loser answers with the winner's timer).
- Exit (``POST /geofencing/exit``): the caller's running timer is stopped, now, when a geofence
  started it, that geofence's exitAction is STOP_TRACKING, and the geofence is the one being left:
  the point lies within its radius plus EXIT_TOLERANCE (devices report an exit from a little
  beyond the boundary, some clients send the region's centre). The answer is the list of timers
  stopped: ``[]`` when nothing was. A timer that ran past the organization's maxActivityHours
  is stopped at the limit (as starting another timer would). Exiting twice stops once.
"""

from __future__ import annotations

from datetime import timedelta

from msgspec.structs import replace

from sandglass import geo, ids
from sandglass.clock import Clock, get_clock
from sandglass.context import TenantContext
from sandglass.errors import Conflict, NotFound, PreconditionFailed, ValidationFailed, check_if_match, detail, stale_write
from sandglass.entities.activities import Activity
from sandglass.models.activities import ActivityCreate, ActivityUpdate
from sandglass.entities.geofences import START_TRACKING, START_TRACKING_PROJECT, STOP_TRACKING
from sandglass.entities.geofences import Geofence as GeofenceEntity
from sandglass.models.geofences import NOT_NULL, GeofenceCreate, GeofenceEvent, GeofenceUpdate, geofence_fields
from sandglass.repositories.activities import ActivityRepository
from sandglass.repositories.geofences import GeofenceRepository
from sandglass.repositories.organizations import OrganizationRepository
from sandglass.repositories.projects import ProjectRepository
from sandglass.services.activities import ActivityService

EXIT_TOLERANCE_M = 250.0


def _not_found() -> NotFound:
    return NotFound("Geofence not found")


def exit_reach_m(radius: float) -> float:
    """How far from the centre an exit event still counts as leaving this geofence."""
    return radius + max(radius, EXIT_TOLERANCE_M)


class GeofenceService:
    def __init__(self, repository: GeofenceRepository | None = None, activities: ActivityService | None = None,
                 activity_repository: ActivityRepository | None = None, projects: ProjectRepository | None = None,
                 organizations: OrganizationRepository | None = None, clock: Clock | None = None):
        self.repository = repository or GeofenceRepository()
        table = self.repository.table
        self.activity_repository = activity_repository or ActivityRepository(table)
        self.activities = activities or ActivityService(self.activity_repository, clock=clock)
        self.projects = projects or ProjectRepository(table)
        self.organizations = organizations or OrganizationRepository(table)
        self._clock = clock

    @property
    def clock(self) -> Clock:
        return self._clock or get_clock()

    # --- definitions ---------------------------------------------------------------------------
    def _load(self, tenant: TenantContext, geofence_id: str) -> GeofenceEntity:
        canonical = ids.canonical_id(geofence_id)
        geofence = self.repository.get(tenant.org_id, canonical) if canonical else None
        if geofence is None:
            raise _not_found()
        return geofence

    def list(self, tenant: TenantContext, limit: int, cursor: str | None) -> tuple[list[GeofenceEntity], str | None]:
        page = self.repository.page(tenant.org_id, limit, cursor)
        return page.geofences, page.cursor

    def get(self, tenant: TenantContext, geofence_id: str) -> GeofenceEntity:
        return self._load(tenant, geofence_id)

    def create(self, tenant: TenantContext, body: GeofenceCreate) -> GeofenceEntity:
        tenant.require_admin()
        now = self.clock.now()
        drawn = GeofenceEntity(id=ids.new_id(), **geofence_fields(body.model_dump()), created_at=now, created_by=tenant.user_id,
                               updated_at=now, updated_by=tenant.user_id)
        self._check_project(tenant, drawn, check=True)
        geofence = replace(drawn, cells=tuple(geo.cover(drawn.latitude, drawn.longitude, drawn.radius)))
        self.repository.create(tenant.org_id, geofence)
        return geofence

    def update(self, tenant: TenantContext, geofence_id: str, body: GeofenceUpdate, if_match: int | None = None) -> GeofenceEntity:
        tenant.require_admin()
        fields = body.model_fields_set
        nulls = [detail(name, f"{name} cannot be null") for name in NOT_NULL if name in fields and getattr(body, name) is None]
        if nulls:
            raise ValidationFailed(nulls[0]["message"], details=nulls)
        current = self._load(tenant, geofence_id)
        check_if_match("geofence", if_match, current.version)
        merged = replace(current, **geofence_fields(body.model_dump(include=fields)))
        check = "projectId" in fields or ("enterAction" in fields and merged.enter_action == START_TRACKING_PROJECT)
        self._check_project(tenant, merged, check=check)
        merged = replace(merged, version=current.version + 1, updated_at=self.clock.now(), updated_by=tenant.user_id,
                         cells=tuple(geo.cover(merged.latitude, merged.longitude, merged.radius)))
        self.repository.replace(tenant.org_id, current, merged, stale=stale_write("geofence", if_match), check_project=check)
        return merged

    def delete(self, tenant: TenantContext, geofence_id: str, if_match: int | None = None) -> None:
        tenant.require_admin()
        current = self._load(tenant, geofence_id)
        check_if_match("geofence", if_match, current.version)
        self.repository.delete(tenant.org_id, current, stale=stale_write("geofence", if_match))

    def _check_project(self, tenant: TenantContext, geofence: GeofenceEntity, *, check: bool) -> None:
        project_id = geofence.project_id
        if geofence.enter_action == START_TRACKING_PROJECT and not project_id:
            raise ValidationFailed.field("projectId", "projectId is required when enterAction is START_TRACKING_PROJECT")
        if not (check and project_id):
            return
        project = self.projects.get(tenant.org_id, project_id)
        if project is None:
            raise ValidationFailed.field("projectId", "No such project in this organization")
        if project.archived:
            raise ValidationFailed.field("projectId", "The project is archived")

    # --- events --------------------------------------------------------------------------------
    def containing(self, tenant: TenantContext, latitude: float, longitude: float) -> list[tuple[float, GeofenceEntity]]:
        """(distance, geofence as its cell entry has it) of every geofence whose circle contains the point, nearest first."""
        found = []
        for entry in self.repository.registered_in(tenant.org_id, geo.point_cells(latitude, longitude)):
            distance = geo.haversine_m(latitude, longitude, float(entry.latitude), float(entry.longitude))
            if distance <= float(entry.radius):
                found.append((distance, entry))
        found.sort(key=lambda pair: (pair[0], pair[1].id))
        return found

    def enter(self, tenant: TenantContext, event: GeofenceEvent) -> Activity | None:
        """The timer the enter action started (or the one this geofence started that still runs); None: no action."""
        found = self.containing(tenant, event.latitude, event.longitude)
        if not found:
            return None
        geofence = found[0][1]
        if geofence.enter_action not in (START_TRACKING_PROJECT, START_TRACKING):
            return None
        running = self._running_of(tenant, geofence.id)
        if running is not None:
            return running
        request = ActivityCreate(name=geofence.name, projectId=self._project_for(tenant, geofence), pending=True)
        try:
            return self.activities.create(tenant, request, geofence_id=geofence.id).activity
        except (ValidationFailed, Conflict) as refused:
            # a racing enter event may have started this geofence's timer first (our start then
            # lost the marker, or is no later than the winner's): answer with that timer
            running = self._running_of(tenant, geofence.id)
            if running is not None:
                return running
            if isinstance(refused, ValidationFailed):
                raise Conflict(f"The geofence's enter action was refused: {refused.message}", details=refused.details,
                               code="GEOFENCE_ACTION_REFUSED") from None
            raise

    def exit(self, tenant: TenantContext, event: GeofenceEvent) -> list[Activity]:
        """The timers the exit stopped (at most one)."""
        running = self._running_of(tenant)
        if running is None or not running.geofence_id:
            return []
        geofence = self.repository.get(tenant.org_id, running.geofence_id)
        if geofence is None or geofence.exit_action != STOP_TRACKING:
            return []
        distance = geo.haversine_m(event.latitude, event.longitude, float(geofence.latitude), float(geofence.longitude))
        if distance > exit_reach_m(float(geofence.radius)):
            return []
        stopped = self._stop(tenant, running)
        return [stopped] if stopped is not None else []

    def _stop(self, tenant: TenantContext, running: Activity) -> Activity | None:
        """Stop the timer now (through ActivityService), or at start + maxActivityHours when it ran
        longer; None when another request stopped or changed it meanwhile."""
        started = running.started_at
        version = running.version
        try:
            try:
                return self.activities.update(tenant, running.id, ActivityUpdate(pending=False), if_match=version).activity
            except ValidationFailed as refused:
                if not any(item.get("field") == "endedAt" for item in refused.details):
                    raise
            organization = self.organizations.require(tenant.org_id)
            limit = organization.settings.max_activity_hours
            capped = ActivityUpdate(endedAt=started + timedelta(hours=limit))
            return self.activities.update(tenant, running.id, capped, if_match=version).activity
        except (PreconditionFailed, NotFound):
            return None

    def _running_of(self, tenant: TenantContext, geofence_id: str | None = None) -> Activity | None:
        """The caller's running timer (when `geofence_id` is given: only if that geofence started it)."""
        marker = self.activity_repository.running_timer(tenant.org_id, tenant.user_id)
        if marker is None:
            return None
        activity = self.activity_repository.get(tenant.org_id, marker.activity_id)
        if activity is None or not activity.running:
            return None
        if geofence_id is not None and activity.geofence_id != geofence_id:
            return None
        return activity

    def _project_for(self, tenant: TenantContext, geofence: GeofenceEntity) -> str:
        if geofence.enter_action == START_TRACKING:
            latest = self.activity_repository.latest_of_user(tenant.org_id, tenant.user_id)
            if latest is not None:
                return latest.project_id
        if geofence.project_id:
            return geofence.project_id
        raise Conflict("This geofence starts tracking on your most recent project, and you have not tracked time yet; "
                       "start a timer once, or ask an Administrator to give the geofence a project", code="NO_PROJECT")
