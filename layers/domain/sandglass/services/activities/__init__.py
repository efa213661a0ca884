"""Activities: time entries, running timers and administrators' corrections.

Rules
-----
- Running timers (timers.py). ``POST /activities`` with ``pending: true`` and no ``endedAt``
  starts a timer (``startedAt`` defaults to now, and may lie at most a few minutes ahead). A member
  has at most one running timer, guaranteed by DynamoDB. **Starting a timer while another runs
  stops the old one at the new one's start** (like Toggl and Clockify), in the new timer's
  transaction; the new timer must start after the old one (else 422), and a request that loses a
  race answers 409 and stores nothing. ``PUT`` with ``endedAt`` (or ``pending: false``, meaning
  now) stops a timer.
- Rights. A User sees and edits their own activities; a project Administrator also those on the
  projects they administer; an organization Administrator all of them, and may create or correct
  activities for another member (``userId``) and set ``locked``. Anything else is 404 (never
  revealing whether the id exists). A ``locked`` activity can be changed only by organization
  Administrators (409 ``ACTIVITY_LOCKED`` otherwise).
- Validation (422 with field details, nothing stored): ``endedAt`` after ``startedAt``; duration
  at most the organization's ``maxActivityHours`` (default 24); the project exists, is not
  archived and has the activity's member as a member (organization Administrators are exempt from
  the membership rule), checked again inside the write's transaction; ``billable`` defaults from
  the project.
- Type and project. ``type`` is REGULAR (default) or BREAK; a break is never billable (its
  billable flag is stored false whatever was asked). A request model may allow no project
  (``EntryCreate``/``EntryUpdate``, the Clockify surface's): such an entry has no project checks,
  no membership, no task, no revenue rate (the member's cost rate is kept), is not billable by
  default, and only its owner and organization Administrators see or change it. Locks, times,
  overlaps and the one running timer apply as to any entry.
- Lists: listing.py. Writes: writes.py (pure decisions in decide.py and timers.py), all through
  ``ActivityServiceBase._commit`` — the single place where write guards stage their checks into
  the same unit of work.
"""

from __future__ import annotations

from sandglass.services.activities.base import WriteGuard, no_rates
from sandglass.services.activities.listing import ActivityQuery, ActivityReads
from sandglass.services.activities.rules import DEFAULT_LIMIT, MAX_LIMIT, ActivityList, ActivityResult
from sandglass.services.activities.writes import ActivityWrites


class ActivityService(ActivityReads, ActivityWrites):
    """The one service the activities routes (and geofence-started timers) call."""


__all__ = ["ActivityService", "ActivityResult", "ActivityList", "ActivityQuery", "WriteGuard", "no_rates", "DEFAULT_LIMIT", "MAX_LIMIT"]
