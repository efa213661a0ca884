"""Repositories: entity-level persistence over the one table. Services depend on these.

Services see two storage types, and only through this package: `Page` (a page of entities and the
signed cursor of the next one) and `WriteCondition` (a condition a repository builds for another
repository's transaction, e.g. "the user is still active"; services pass it along unopened).
"""

from sandglass.storage.table import Op as WriteCondition
from sandglass.storage.table import Page

__all__ = ["Page", "WriteCondition"]
