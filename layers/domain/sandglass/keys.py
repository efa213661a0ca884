"""Every DynamoDB key string of the table is built here and nowhere else.

Organization-owned items: base-table PK is exactly ``ORG#<orgId>`` (one item collection per
tenant, so purging a tenant is a paged Query) or starts with ``ORG#<orgId>#`` for entities that
live on their own partition; every GSI partition key of an org-owned item starts with
``ORG#<orgId>#``. Platform-scoped items (domain -> org, account -> memberships, API-key hashes, jobs,
the scheduler's due index) have their own prefixes and are touched only by workspace/auth/job code.
"""

from __future__ import annotations

PK = "PK"
SK = "SK"

# Overloaded GSIs (projection ALL). Their key attributes are named <index>PK / <index>SK.
GSI_USER = "GSI1"  # ORG#o#USER#u        / <sort>: everything belonging to one member
GSI_PROJECT = "GSI2"  # ORG#o#PROJECT#p  / <sort>: everything hanging off one project
GSI_MONTH = "GSI3"  # ORG#o#MONTH#yyyy-mm / <sort>: one organization's month of time data
GSI_DUE = "GSI4"  # DUE#<job>           / <nextRunUtc>#<orgId>: the scheduler's due index
ALL_GSIS = (GSI_USER, GSI_PROJECT, GSI_MONTH, GSI_DUE)


def gsi_pk(index: str) -> str:
    return f"{index}PK"


def gsi_sk(index: str) -> str:
    return f"{index}SK"


def index_keys(index: str, partition: str, sort: str) -> dict[str, str]:
    """The two attributes that place an item in `index` (an item may carry several indexes' pairs)."""
    return {gsi_pk(index): partition, gsi_sk(index): sort}


def index_attribute_names(*indexes: str) -> tuple[str, ...]:
    return tuple(name for index in indexes for name in (gsi_pk(index), gsi_sk(index)))


# Every key attribute an item can carry: repositories strip them before handing entities out.
KEY_ATTRIBUTES = frozenset((PK, SK, *index_attribute_names(*ALL_GSIS)))


# --- organization-owned -------------------------------------------------------------------

def org_pk(org_id: str) -> str:
    return f"ORG#{org_id}"


def org_prefix(org_id: str) -> str:
    """Prefix shared by every partition key an organization owns (root and sub-partitions)."""
    return f"ORG#{org_id}#"


def organization(org_id: str) -> dict[str, str]:
    return {PK: org_pk(org_id), SK: "ORG"}


def user(org_id: str, user_id: str) -> dict[str, str]:
    return {PK: org_pk(org_id), SK: f"USER#{user_id}"}


USER_SK_PREFIX = "USER#"


def project(org_id: str, project_id: str) -> dict[str, str]:
    return {PK: org_pk(org_id), SK: f"PROJECT#{project_id}"}


PROJECT_SK_PREFIX = "PROJECT#"


def project_member(org_id: str, project_id: str, member_id: str) -> dict[str, str]:
    """A user's membership of a project. `member_id` is derived from (project, user), so the
    same user can be a member once: attribute_not_exists on this key is the uniqueness rule.
    Index keys: GSI_USER (user_partition / PROJECT#<pid>) and GSI_PROJECT (project_partition / MEMBER#<mid>)."""
    return {PK: org_pk(org_id), SK: f"PROJECT#{project_id}#MEMBER#{member_id}"}


def user_partition(org_id: str, user_id: str) -> str:
    """GSI_USER partition: everything one member owns (activities, rates, preferences...)."""
    return f"ORG#{org_id}#USER#{user_id}"


def project_partition(org_id: str, project_id: str) -> str:
    """GSI_PROJECT partition: everything hanging off one project."""
    return f"ORG#{org_id}#PROJECT#{project_id}"


def month_partition(org_id: str, month: str) -> str:
    """GSI_MONTH partition: one organization's month (``yyyy-mm``) of time data."""
    return f"ORG#{org_id}#MONTH#{month}"


TIME_DATA_MONTH_PREFIX = "MONTH#"


def time_data_month(org_id: str, month: str) -> dict[str, str]:
    """Marks that the organization has (or had) activities starting in `month` (``yyyy-mm``), so
    an organization-wide list can walk its months newest first without guessing a range. Written
    outside any transaction (a shared item in every activity transaction would make concurrent
    writes conflict), at most once per month and Lambda container."""
    return {PK: org_pk(org_id), SK: f"{TIME_DATA_MONTH_PREFIX}{month}"}


# --- activities (repositories/activities.py documents the item shapes) -------------------------

ACTIVITY_SK_PREFIX = "ACTIVITY#"
ACTIVITY_INDEX_PREFIX = "ACT#"


def activity(org_id: str, activity_id: str) -> dict[str, str]:
    return {PK: org_pk(org_id), SK: f"{ACTIVITY_SK_PREFIX}{activity_id}"}


def activity_member_sort(started_at: str, activity_id: str) -> str:
    """GSI_USER / GSI_PROJECT sort key of an activity: start order within the member's or project's partition."""
    return f"{ACTIVITY_INDEX_PREFIX}{started_at}#{activity_id}"


def activity_month_sort(started_at: str, activity_id: str) -> str:
    """GSI_MONTH sort key of an activity: start order within the organization's month (prefixed,
    so other time-data kinds can share the month partition without being read as activities)."""
    return f"{ACTIVITY_INDEX_PREFIX}{started_at}#{activity_id}"


def running_timer(org_id: str, user_id: str) -> dict[str, str]:
    """Marker of a member's running timer: its existence (attribute_not_exists) is the one-per-user rule."""
    return {PK: org_pk(org_id), SK: f"TIMER#{user_id}"}


def entries_fence(org_id: str, user_id: str) -> dict[str, str]:
    """A member's entries fence: its `version` is bumped by every write of their entries that ran
    the overlap check (policy warn or reject), conditioned on the value read with that check."""
    return {PK: org_pk(org_id), SK: f"ENTRIES#{user_id}"}


def idempotency(org_id: str, user_id: str, key_hash: str) -> dict[str, str]:
    """A create's idempotency record (user + hashed Idempotency-Key), TTL'd by `expiresAt`."""
    return {PK: org_pk(org_id), SK: f"IDEMPOTENCY#{user_id}#{key_hash}"}


# --- platform-scoped ------------------------------------------------------------------------

def domain(domain_name: str) -> dict[str, str]:
    """Uniqueness marker and lookup: organization domain -> org id."""
    return {PK: f"DOMAIN#{domain_name}", SK: "DOMAIN"}


def request_idempotency(email: str | None, key_hash: str) -> dict[str, str]:
    """A POST's Idempotency-Key record (services/idempotency.py), TTL'd by `expiresAt`, in the
    calling account's partition (a retry after the organization was renamed still finds it), or
    under its own platform prefix for a request without an account (support sign-in).
    `key_hash` hashes the caller, the organization the request names and the key."""
    if email:
        return {PK: account_pk(email), SK: f"REQUEST_IDEMPOTENCY#{key_hash}"}
    return {PK: f"REQUEST_IDEMPOTENCY#{key_hash}", SK: "REQUEST"}


def account_pk(email: str) -> str:
    return f"ACCOUNT#{email}"


def membership(email: str, org_id: str) -> dict[str, str]:
    """An account's membership of one organization (lists `GET /organizations`)."""
    return {PK: account_pk(email), SK: f"ORG#{org_id}"}


MEMBERSHIP_SK_PREFIX = "ORG#"


def membership_by_short_id(id_prefix: str) -> str:
    """Sort-key prefix of an account's membership of the organization whose id starts with
    `id_prefix` (ids.short_id_prefix): a workspace's 24-hex id resolved in its member's account."""
    return f"{MEMBERSHIP_SK_PREFIX}{id_prefix}"


def entity_by_short_id(sk_prefix: str, id_prefix: str) -> str:
    """Sort-key prefix, under ``ORG#<orgId>``, of the entity whose id starts with `id_prefix`
    (ids.short_id_prefix): `sk_prefix` is the entity's own (ACTIVITY_SK_PREFIX, PROJECT_SK_PREFIX,
    USER_SK_PREFIX...); its items are keyed `<sk_prefix><uuid>`."""
    return f"{sk_prefix}{id_prefix}"


# Personal API keys (repositories/api_keys.py documents the item shapes): one lookup item per key,
# keyed by the keyed hash of its secret (the authorizer's one GetItem), and one listing item per key
# in its person's account partition; both written in one transaction.
API_KEY_SK_PREFIX = "APIKEY#"


def api_key_lookup(key_hash: str) -> dict[str, str]:
    """Finds a personal API key by the HMAC of its secret (never the secret itself)."""
    return {PK: f"APIKEY#{key_hash}", SK: "APIKEY"}


def account_api_key(email: str, key_id: str) -> dict[str, str]:
    """A person's API key in their account's listing (`GET /api-keys`: one Query on the prefix)."""
    return {PK: account_pk(email), SK: f"{API_KEY_SK_PREFIX}{key_id}"}

JOBS_PK = "JOBS"

# Background job kinds (the purge function dispatches on them).
PURGE_ORGANIZATION = "purge-org"
PURGE_PROJECT = "purge-project"
PURGE_USER = "purge-user"


def job(kind: str, org_id: str, target: str = "-") -> dict[str, str]:
    """A background job (purge...). All jobs share one platform partition so pending ones are a Query."""
    return {PK: JOBS_PK, SK: f"{kind}#{org_id}#{target}"}


def job_target(sort_key: str) -> str:
    """The target a job's sort key names (what `job` was given)."""
    return sort_key.split("#", 2)[2]


def due_partition(job_name: str) -> str:
    return f"DUE#{job_name}"


def due_sort(next_run_utc: str, org_id: str) -> str:
    return f"{next_run_utc}#{org_id}"


def belongs_to_org(key_value: str, org_id: str) -> bool:
    return key_value == org_pk(org_id) or key_value.startswith(org_prefix(org_id))


# --- projects, users, rates (issue 4) --------------------------------------------------------

PROJECT_MEMBER_GSI_SK_PREFIX = "MEMBER#"  # GSI_PROJECT sort prefix of a project's members
PROJECT_ACTIVITY_GSI_SK_PREFIX = "ACT#"  # GSI_PROJECT sort prefix of a project's activities


def project_member_gsi_sort(member_id: str) -> str:
    return f"{PROJECT_MEMBER_GSI_SK_PREFIX}{member_id}"


def project_list_partition(org_id: str) -> str:
    """GSI_PROJECT partition holding one entry per project (sparse: only project items carry it),
    so listing projects is a Query that never wades through members or rates."""
    return f"ORG#{org_id}#PROJECTS"


PROJECT_LIST_ACTIVE = "ACTIVE#"
PROJECT_LIST_ARCHIVED = "ARCHIVED#"


def project_list_sort(project_id: str, name: str, archived: bool) -> str:
    """Active projects first, each group ordered by name (case-insensitive), then id."""
    state = PROJECT_LIST_ARCHIVED if archived else PROJECT_LIST_ACTIVE
    return f"{state}{name.strip().lower()[:200]}#{project_id}"


def project_membership_user_sort(project_id: str) -> str:
    """GSI_USER sort key of a project membership: a member's projects under ``PROJECT#``."""
    return f"{PROJECT_SK_PREFIX}{project_id}"


def revenue_rates_prefix(project_id: str, member_id: str) -> str:
    return f"REVRATES#{project_id}#{member_id}"


def revenue_rate_user_sort_prefix(project_id: str) -> str:
    """GSI_USER sort prefix of a member's revenue-rate windows on one project (the rate id follows)."""
    return f"REVRATE#{project_id}#"


def revenue_rate_project_sort_prefix(member_id: str) -> str:
    """GSI_PROJECT sort prefix of one project member's revenue-rate windows (the rate id follows)."""
    return f"REVRATE#{member_id}#"


def cost_rates_prefix(user_id: str) -> str:
    return f"COSTRATES#{user_id}"


COST_RATE_USER_SORT_PREFIX = "COSTRATE#"  # GSI_USER sort prefix of a user's cost-rate windows


def watermark_change(org_id: str, changed_at: str, change_id: str) -> dict[str, str]:
    """The change record of the lock watermark set through the API (who, when, from, to)."""
    return {PK: org_pk(org_id), SK: f"WATERMARK#{changed_at}#{change_id}"}


def rerate_record(org_id: str, applied_at: str, rerate_id: str) -> dict[str, str]:
    """The change record of an applied re-rate (who, when, scope, forced, old and new amounts)."""
    return {PK: org_pk(org_id), SK: f"RERATE#{applied_at}#{rerate_id}"}


def rate_set_lock(org_id: str, set_prefix: str) -> dict[str, str]:
    """Version counter of one owner's rate windows (a project member's revenue rates, prefix
    revenue_rates_prefix; a user's cost rates, cost_rates_prefix): every rate write bumps it in the
    same transaction, so two requests cannot both add overlapping windows."""
    return {PK: org_pk(org_id), SK: set_prefix}


def rate_item_key(org_id: str, set_prefix: str, rate_id: str) -> dict[str, str]:
    """One window of a rate set whose lock's sort key is `set_prefix`."""
    return {PK: org_pk(org_id), SK: f"{set_prefix}#{rate_id}"}


def rate_items_prefix(set_prefix: str) -> str:
    return f"{set_prefix}#"


def user_preferences(org_id: str, user_id: str) -> dict[str, str]:
    """A user's preference document. Index keys: GSI_USER (user_partition / PREFERENCES_USER_SORT)."""
    return {PK: org_pk(org_id), SK: f"PREFS#{user_id}"}


PREFERENCES_USER_SORT = "PREFERENCES"


def org_id_of_partition(key_value: str) -> str:
    """The organization id in an organization-owned partition key."""
    return key_value.removeprefix("ORG#").split("#", 1)[0]


# --- timesheets: reads, schedules and reminders (issue 8) ---------------------------------------

JOB_AUTO_LOCK = "auto-lock"
JOB_REMINDERS = "reminders"
TIMER_SK_PREFIX = "TIMER#"


def activity_sort_bound(instant_text: str) -> str:
    """A GSI_USER / GSI_MONTH sort bound for activities starting at `instant_text` (UTC text):
    ``BETWEEN bound(lower) AND bound(upper)`` takes starts in [lower, upper)."""
    return f"{ACTIVITY_INDEX_PREFIX}{instant_text}"


def due_entry(org_id: str, job_name: str) -> dict[str, str]:
    """An organization's entry in a scheduler's due index. It lives in the organization's own
    partition (so the organization purge removes it) and carries GSI_DUE keys
    (due_partition(job) / due_sort(nextRun, org)) only while the job is enabled."""
    return {PK: org_pk(org_id), SK: f"DUE#{job_name}"}


def due_sort_upper(now_utc: str) -> str:
    """The GSI_DUE sort bound taking every entry due at or before `now_utc`."""
    return f"{now_utc}#~"


def reminder_marker(org_id: str, week_label: str, user_id: str) -> dict[str, str]:
    """Written with attribute_not_exists before a reminder goes out: one reminder per user-week."""
    return {PK: org_pk(org_id), SK: f"REMINDER#{week_label}#{user_id}"}


# --- billing (issue 11) ----------------------------------------------------------------------

def billing_account(org_id: str) -> dict[str, str]:
    """The organization's payment-provider account (e.g. its Paddle customer id)."""
    return {PK: org_pk(org_id), SK: "BILLING#ACCOUNT"}


def seats(org_id: str) -> dict[str, str]:
    """Seat counter: `used` (members that hold a seat) and `seatLimit` (the paid quantity; absent
    on the free plan). Invites increment `used` in their transaction, conditioned on the limit."""
    return {PK: org_pk(org_id), SK: "BILLING#SEATS"}


def receipt(org_id: str, digest: str) -> dict[str, str]:
    """The outcome of one submitted receipt (sha-256 of its bytes)."""
    return {PK: org_pk(org_id), SK: f"BILLING#RECEIPT#{digest}"}


# The local (development) payment provider's own records: what Paddle would keep on its side.
LOCAL_CHECKOUT_PREFIX = "LOCALPAY#CHECKOUT#"
LOCAL_SUBSCRIPTION_PREFIX = "LOCALPAY#SUB#"
LOCAL_TRANSACTION_PREFIX = "LOCALPAY#TXN#"


def local_checkout(org_id: str, checkout_id: str) -> dict[str, str]:
    return {PK: org_pk(org_id), SK: f"{LOCAL_CHECKOUT_PREFIX}{checkout_id}"}


def local_subscription(org_id: str, subscription_id: str) -> dict[str, str]:
    return {PK: org_pk(org_id), SK: f"{LOCAL_SUBSCRIPTION_PREFIX}{subscription_id}"}


def local_transaction(org_id: str, paid_at: str, transaction_id: str) -> dict[str, str]:
    """Sorted by payment instant, so the history is one Query read newest first."""
    return {PK: org_pk(org_id), SK: f"{LOCAL_TRANSACTION_PREFIX}{paid_at}#{transaction_id}"}


# --- geofences (repositories/geofences.py documents the item shapes) ---------------------------

GEOFENCE_SK_PREFIX = "GEOFENCE#"
GEOFENCE_CELL_SK_PREFIX = "GEOCELL#"


def geofence(org_id: str, geofence_id: str) -> dict[str, str]:
    return {PK: org_pk(org_id), SK: f"{GEOFENCE_SK_PREFIX}{geofence_id}"}


def geofence_cell_prefix(cell: str) -> str:
    """Sort-key prefix of every geofence registered under one geohash cell (the trailing ``#``
    keeps cell ``u3q`` from matching the finer cell ``u3qcn``)."""
    return f"{GEOFENCE_CELL_SK_PREFIX}{cell}#"


def geofence_cell(org_id: str, cell: str, geofence_id: str) -> dict[str, str]:
    """A geofence's entry in one geohash cell its circle touches (the spatial lookup key)."""
    return {PK: org_pk(org_id), SK: f"{geofence_cell_prefix(cell)}{geofence_id}"}


# --- timesheet locks (issue 8; repositories/locks.py documents the item shapes) -----------------

MEMBER_LOCKS_SK_PREFIX = "LOCKS#USER#"
WEEK_LOCK_SK_PREFIX = "WEEKLOCK#"


def member_locks(org_id: str, user_id: str) -> dict[str, str]:
    """One member's explicit locks and unlock windows, and the `version` every activity write of
    that member ConditionChecks (bumped by every lock change that can affect the member)."""
    return {PK: org_pk(org_id), SK: f"{MEMBER_LOCKS_SK_PREFIX}{user_id}"}


def organization_locks(org_id: str) -> dict[str, str]:
    """The organization-wide explicit locks: read by activity writes, never part of their transactions."""
    return {PK: org_pk(org_id), SK: "LOCKS#ORG"}


def week_lock(org_id: str, lock_id: str) -> dict[str, str]:
    """Finds a Sandtime user-week lock by its id (DELETE /timesheets/lock/{lockId})."""
    return {PK: org_pk(org_id), SK: f"{WEEK_LOCK_SK_PREFIX}{lock_id}"}



# --- reports (issue 10) ---------------------------------------------------------------------------

REPORT_SK_PREFIX = "REPORT#"
REPORT_OWNER_SORT_PREFIX = "REPORT#"  # GSI_USER sort prefix of the reports a member saved
# Reports read every revenue window of a project (GSI_PROJECT) and every cost window of a user
# (GSI_USER, COST_RATE_USER_SORT_PREFIX) with one Query each.
REVENUE_RATE_PROJECT_SORT_PREFIX = "REVRATE#"  # GSI_PROJECT: every member's windows (revenue_rate_project_sort_prefix narrows to one)


def report(org_id: str, report_id: str) -> dict[str, str]:
    """A saved report definition. Index keys: GSI_USER (user_partition of its owner / REPORT#<id>),
    so a member's reports are one Query and a user's purge removes them."""
    return {PK: org_pk(org_id), SK: f"{REPORT_SK_PREFIX}{report_id}"}


def report_owner_sort(report_id: str) -> str:
    return f"{REPORT_OWNER_SORT_PREFIX}{report_id}"


# --- workflow requests (issue 9; repositories/requests.py documents the item shapes) ------------

REQUEST_SK_PREFIX = "REQUEST#"
REQUEST_SORT_PREFIX = "REQUEST#"  # GSI_USER (the requester's) and the listing partition's sort prefix
PENDING_REQUEST_SK_PREFIX = "REQPENDING#"
SIGN_IN_GRANT_SK_PREFIX = "SIGNIN#"


def request(org_id: str, request_id: str) -> dict[str, str]:
    """A workflow request. Index keys: GSI_USER (user_partition of its creator / REQUEST#<createdAt>#<id>)
    and GSI_PROJECT (request_list_partition / the same sort): the requester's and everybody's
    requests, newest first, one Query each."""
    return {PK: org_pk(org_id), SK: f"{REQUEST_SK_PREFIX}{request_id}"}


def request_list_partition(org_id: str) -> str:
    """GSI_PROJECT partition of every request of an organization (a sparse listing, like projects')."""
    return f"ORG#{org_id}#REQUESTS"


def request_sort(created_at: str, request_id: str) -> str:
    return f"{REQUEST_SORT_PREFIX}{created_at}#{request_id}"


def pending_request(org_id: str, kind: str, target_digest: str) -> dict[str, str]:
    """Marks the one PENDING request of a kind for a target (created with the request under
    attribute_not_exists, removed with its resolution): a duplicate finds the existing request."""
    return {PK: org_pk(org_id), SK: f"{PENDING_REQUEST_SK_PREFIX}{kind}#{target_digest}"}


def sign_in_grant(org_id: str, token_digest: str) -> dict[str, str]:
    """A one-time support sign-in (impersonation) grant, by the SHA-256 of its token; TTL expiresAt."""
    return {PK: org_pk(org_id), SK: f"{SIGN_IN_GRANT_SK_PREFIX}{token_digest}"}


# --- groups of people (4me's organizations inside an account, Clockify's user groups) -----------------
GROUP_SK_PREFIX = "GROUP#"
GROUP_MEMBERSHIP_SK_PREFIX = "GROUPMEMBER#"


def group(org_id: str, group_id: str) -> dict[str, str]:
    return {PK: org_pk(org_id), SK: f"{GROUP_SK_PREFIX}{group_id}"}


def group_membership(org_id: str, user_id: str, from_day: str) -> dict[str, str]:
    """A person's group from `from_day` (yyyy-mm-dd) until their next membership's day."""
    return {PK: org_pk(org_id), SK: f"{GROUP_MEMBERSHIP_SK_PREFIX}{user_id}#{from_day}"}


def group_membership_user_sort(from_day: str) -> str:
    """GSI_USER sort key of a person's group membership (in their user partition, so the member's
    purge, which empties that partition, removes it with them)."""
    return f"{GROUP_MEMBERSHIP_SK_PREFIX}{from_day}"


def group_memberships_prefix(user_id: str | None = None) -> str:
    return f"{GROUP_MEMBERSHIP_SK_PREFIX}{user_id}#" if user_id else GROUP_MEMBERSHIP_SK_PREFIX


# --- catalog: tags, clients, tasks (repositories/catalog.py documents the item shapes) ----------

TAG_SK_PREFIX = "TAG#"
CLIENT_SK_PREFIX = "CLIENT#"
TASK_SK_PREFIX = "TASK#"
CATALOG_LIST_ACTIVE = "ACTIVE#"
CATALOG_LIST_ARCHIVED = "ARCHIVED#"


def tag(org_id: str, tag_id: str) -> dict[str, str]:
    return {PK: org_pk(org_id), SK: f"{TAG_SK_PREFIX}{tag_id}"}


def client(org_id: str, client_id: str) -> dict[str, str]:
    return {PK: org_pk(org_id), SK: f"{CLIENT_SK_PREFIX}{client_id}"}


def task(org_id: str, task_id: str) -> dict[str, str]:
    """A project's task. Index keys: GSI_PROJECT (project_partition / task_list_sort), so a project's
    tasks are one Query and the project's purge removes them."""
    return {PK: org_pk(org_id), SK: f"{TASK_SK_PREFIX}{task_id}"}


def catalog_name(org_id: str, kind: str, scope: str, name_digest: str) -> dict[str, str]:
    """Uniqueness marker of a name (its case-folded digest) among one kind of entity ("TAG",
    "CLIENT", "TASK") in a scope (the organization "-" or a project id), written with
    attribute_not_exists in the entity's own transaction."""
    return {PK: org_pk(org_id), SK: f"NAME#{kind}#{scope}#{name_digest}"}


def catalog_list_partition(org_id: str, kind: str) -> str:
    """GSI_PROJECT partition listing one kind of organization-wide entity (``TAGS``, ``CLIENTS``):
    sparse, like the projects' listing."""
    return f"ORG#{org_id}#{kind}"


def catalog_list_sort(entity_id: str, name_key: str, archived: bool) -> str:
    """Active entries first, each group ordered by case-folded name, then id."""
    state = CATALOG_LIST_ARCHIVED if archived else CATALOG_LIST_ACTIVE
    return f"{state}{name_key[:200]}#{entity_id}"


def task_list_sort(task_id: str, name_key: str) -> str:
    """GSI_PROJECT sort key of a task in its project's partition: by case-folded name, then id."""
    return f"{TASK_SK_PREFIX}{name_key[:200]}#{task_id}"
# --- the change log (repositories/changes.py documents the item shapes) ---------------------------

CHANGE_SK_PREFIX = "CHANGE#"
CHANGE_POSITION_DIGITS = 40  # a stream sequence number has at most 40 digits


def change_position(sequence_number: str) -> str:
    """A change's sortable position in its organization's log: the stream record's sequence number,
    zero-padded (DynamoDB orders one partition key's records by it, in commit order)."""
    return sequence_number.rjust(CHANGE_POSITION_DIGITS, "0")


def change(org_id: str, position: str) -> dict[str, str]:
    """One change-log record, in the organization's root partition (the organization purge removes
    it; its TTL `expiresAt` ends it earlier). Index keys: GSI_USER (user_partition of the entity's
    owner / change_sort(position)) when the entity has an owner, for a User's own feed."""
    return {PK: org_pk(org_id), SK: f"{CHANGE_SK_PREFIX}{position}"}


def change_sort(position: str) -> str:
    return f"{CHANGE_SK_PREFIX}{position}"


def change_sort_after(position: str | None) -> str:
    """The lowest sort key of a change after `position` (None: from the log's start)."""
    if position is None:
        return CHANGE_SK_PREFIX
    return change_sort(str(int(position) + 1).rjust(CHANGE_POSITION_DIGITS, "0"))


CHANGE_SORT_END = f"{CHANGE_SK_PREFIX}~"

# Which items of an organization's root partition are entities the change log records, by sort-key
# prefix: (prefix, entity type, how many '#'-separated parts follow the prefix). Every other item
# (uniqueness markers, fences, counters, idempotency records, due entries, reminder markers, billing
# records, sign-in grants, webhooks and their secrets, the log itself) is not an entity change.
_CHANGE_ENTITIES = (
    (ACTIVITY_SK_PREFIX, "activity", 1),
    (USER_SK_PREFIX, "member", 1),
    (PROJECT_SK_PREFIX, "project", 1),
    (PROJECT_SK_PREFIX, "projectMember", 3),  # PROJECT#<pid>#MEMBER#<mid>
    ("REVRATES#", "revenueRate", 3),  # REVRATES#<pid>#<mid>#<rateId> (the set's lock has 2 parts)
    ("COSTRATES#", "costRate", 2),  # COSTRATES#<uid>#<rateId> (the set's lock has 1)
    ("PREFS#", "preferences", 1),
    (MEMBER_LOCKS_SK_PREFIX, "memberLocks", 1),
    (WEEK_LOCK_SK_PREFIX, "weekLock", 1),
    (REPORT_SK_PREFIX, "report", 1),
    (REQUEST_SK_PREFIX, "request", 1),
    (GEOFENCE_SK_PREFIX, "geofence", 1),
    (TAG_SK_PREFIX, "tag", 1),
    (CLIENT_SK_PREFIX, "client", 1),
    (TASK_SK_PREFIX, "task", 1),
    (GROUP_SK_PREFIX, "group", 1),
)
CHANGE_ENTITY_TYPES = ("organization", "organizationLocks", *dict.fromkeys(kind for _, kind, _ in _CHANGE_ENTITIES))


def classify_change(partition: str, sort: str) -> tuple[str, str, str] | None:
    """(organization id, entity type, entity id) of a table item whose writes the change log
    records, or None for every other item. The one place that decides what is an entity."""
    if not partition.startswith("ORG#") or "#" in partition[4:]:
        return None  # platform items, and organization sub-partitions (none holds an entity)
    org_id = partition[4:]
    if sort == "ORG":
        return org_id, "organization", org_id
    if sort == "LOCKS#ORG":
        return org_id, "organizationLocks", org_id
    for prefix, kind, parts in _CHANGE_ENTITIES:
        if sort.startswith(prefix):
            rest = sort[len(prefix):].split("#")
            if len(rest) == parts and all(rest) and (kind != "projectMember" or rest[1] == "MEMBER"):
                return org_id, kind, rest[-1]
    return None


# --- webhooks (repositories/webhooks.py documents the item shapes) --------------------------------

WEBHOOK_SK_PREFIX = "WEBHOOK#"
WEBHOOK_DELIVERY_SK_PREFIX = "WHDELIVERY#"


def webhook(org_id: str, webhook_id: str) -> dict[str, str]:
    """A webhook (with its secret token: never an entity of the change log)."""
    return {PK: org_pk(org_id), SK: f"{WEBHOOK_SK_PREFIX}{webhook_id}"}


def webhook_counts(org_id: str) -> dict[str, str]:
    """The organization's webhook counter (`total` and one `owner#<memberId>` count per creator):
    every create and delete changes it in the same transaction, conditioned on the limits."""
    return {PK: org_pk(org_id), SK: "WEBHOOKS#COUNT"}


def webhook_delivery(org_id: str, webhook_id: str, event_id: str) -> dict[str, str]:
    """The delivery log of one event to one webhook (updated by every attempt); TTL expiresAt."""
    return {PK: org_pk(org_id), SK: f"{webhook_delivery_prefix(webhook_id)}{event_id}"}


def webhook_delivery_prefix(webhook_id: str) -> str:
    return f"{WEBHOOK_DELIVERY_SK_PREFIX}{webhook_id}#"


# --- report rollups (repositories/rollups.py documents the item shapes) ------------------------
# In the organization's own item collection (so its purge deletes them), under ROLLUP#<yyyy-mm>#.

ROLLUP_SK_PREFIX = "ROLLUP#"


def rollup_month_prefix(month: str) -> str:
    return f"{ROLLUP_SK_PREFIX}{month}#"


def rollup_day(org_id: str, day: str, user_id: str) -> dict[str, str]:
    """The report cells of one member and local day (``yyyy-mm-dd``)."""
    return {PK: org_pk(org_id), SK: f"{rollup_month_prefix(day[:7])}DAY#{day}#{user_id}"}


def rollup_day_range(month: str, first_day: str, after_day: str) -> tuple[str, str]:
    """Sort bounds of a month's member-days with first_day <= day < after_day (BETWEEN)."""
    prefix = rollup_month_prefix(month)
    lower = f"{prefix}DAY#{max(first_day, month + '-01')}#"
    upper = f"{prefix}DAY#{after_day}#" if after_day[:7] == month else f"{prefix}DAY$"  # '$' sorts after '#'
    return lower, upper


def rollup_marker(org_id: str, month: str) -> dict[str, str]:
    """Says the month's cells are built (or being built), and under which settings."""
    return {PK: org_pk(org_id), SK: f"{rollup_month_prefix(month)}BUILT"}
# --- integer ids (the 4me and Sonderplan surfaces; repositories/int_ids.py documents the items) ---

INT_ID_KINDS = ("person", "project", "group", "activity")
INT_ALIAS_SK_PREFIX = "INT#"
INT_COUNTER_SK_PREFIX = "INTSEQ#"
# The sort-key prefix of each numbered kind's entity item (`<prefix><uuid>` under ORG#<orgId>).
INT_ID_ENTITY_SK_PREFIXES = {"person": USER_SK_PREFIX, "project": PROJECT_SK_PREFIX, "group": GROUP_SK_PREFIX,
                             "activity": ACTIVITY_SK_PREFIX}


def int_counter(org_id: str, kind: str) -> dict[str, str]:
    """The organization's counter of one kind's integer ids: `last`, the highest id any block claimed."""
    return {PK: org_pk(org_id), SK: f"{INT_COUNTER_SK_PREFIX}{kind}"}


def int_alias(org_id: str, kind: str, number: int) -> dict[str, str]:
    """Integer id -> entity uuid: written with attribute_not_exists in the entity's own unit of work."""
    return {PK: org_pk(org_id), SK: f"{INT_ALIAS_SK_PREFIX}{kind}#{number}"}


def int_kind_of_sort(sort: str) -> str | None:
    """The numbered kind of an entity item's sort key (``<prefix><36-character uuid>``), else None
    (project memberships, group memberships and other sub-items have none)."""
    for kind, prefix in INT_ID_ENTITY_SK_PREFIXES.items():
        if sort.startswith(prefix) and len(sort) == len(prefix) + 36:
            return kind
    return None


def int_alias_of(partition: str, sort: str, number: int) -> dict[str, str] | None:
    """The alias key of the organization-owned entity item at (`partition`, `sort`) numbered `number`."""
    kind = int_kind_of_sort(sort)
    if kind is None or not partition.startswith("ORG#") or "#" in partition[4:]:
        return None
    return int_alias(org_id_of_partition(partition), kind, number)
