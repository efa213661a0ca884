"""Every DynamoDB key string of the table is built here and nowhere else.

Organization-owned items: base-table PK is exactly ``ORG#<orgId>`` (one item collection per
tenant, so purging a tenant is a paged Query) or starts with ``ORG#<orgId>#`` for entities that
live on their own partition; every GSI partition key of an org-owned item starts with
``ORG#<orgId>#``. Platform-scoped items (domain -> org, account -> memberships, jobs, the
scheduler's due index) have their own prefixes and are touched only by workspace/auth/job code.
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


MONTH_SK_PREFIX = "MONTH#"


def month_marker(org_id: str, month: str) -> dict[str, str]:
    """Registers that a month partition holds data (written idempotently with the data), so a
    purge can find every month partition with one Query instead of guessing a date range."""
    return {PK: org_pk(org_id), SK: f"{MONTH_SK_PREFIX}{month}"}


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


def idempotency(org_id: str, user_id: str, key_hash: str) -> dict[str, str]:
    """A create's idempotency record (user + hashed Idempotency-Key), TTL'd by `expiresAt`."""
    return {PK: org_pk(org_id), SK: f"IDEMPOTENCY#{user_id}#{key_hash}"}


# --- platform-scoped ------------------------------------------------------------------------

def domain(domain_name: str) -> dict[str, str]:
    """Uniqueness marker and lookup: organization domain -> org id."""
    return {PK: f"DOMAIN#{domain_name}", SK: "DOMAIN"}


def account_pk(email: str) -> str:
    return f"ACCOUNT#{email}"


def membership(email: str, org_id: str) -> dict[str, str]:
    """An account's membership of one organization (lists `GET /organizations`)."""
    return {PK: account_pk(email), SK: f"ORG#{org_id}"}


MEMBERSHIP_SK_PREFIX = "ORG#"

JOBS_PK = "JOBS"

# Background job kinds (the purge function dispatches on them).
PURGE_ORGANIZATION = "purge-org"
PURGE_PROJECT = "purge-project"
PURGE_USER = "purge-user"


def job(kind: str, org_id: str, target: str = "-") -> dict[str, str]:
    """A background job (purge...). All jobs share one platform partition so pending ones are a Query."""
    return {PK: JOBS_PK, SK: f"{kind}#{org_id}#{target}"}


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


def revenue_rates_prefix(project_id: str, member_id: str) -> str:
    return f"REVRATES#{project_id}#{member_id}"


def revenue_rates_lock(org_id: str, project_id: str, member_id: str) -> dict[str, str]:
    """Version counter of one project member's revenue-rate windows: every rate write bumps it
    in the same transaction, so two requests cannot both add overlapping windows."""
    return {PK: org_pk(org_id), SK: revenue_rates_prefix(project_id, member_id)}


def revenue_rate(org_id: str, project_id: str, member_id: str, rate_id: str) -> dict[str, str]:
    """Index keys: GSI_USER (user_partition / REVRATE#<pid>#<rid>), GSI_PROJECT (project_partition / REVRATE#<mid>#<rid>)."""
    return {PK: org_pk(org_id), SK: f"{revenue_rates_prefix(project_id, member_id)}#{rate_id}"}


def cost_rates_prefix(user_id: str) -> str:
    return f"COSTRATES#{user_id}"


def cost_rates_lock(org_id: str, user_id: str) -> dict[str, str]:
    """Version counter of one user's cost-rate windows (see revenue_rates_lock)."""
    return {PK: org_pk(org_id), SK: cost_rates_prefix(user_id)}


def cost_rate(org_id: str, user_id: str, rate_id: str) -> dict[str, str]:
    """Index keys: GSI_USER (user_partition / COSTRATE#<rid>)."""
    return {PK: org_pk(org_id), SK: f"{cost_rates_prefix(user_id)}#{rate_id}"}


def user_preferences(org_id: str, user_id: str) -> dict[str, str]:
    """A user's preference document. Index keys: GSI_USER (user_partition / PREFERENCES)."""
    return {PK: org_pk(org_id), SK: f"PREFS#{user_id}"}


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
