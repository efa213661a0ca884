"""Repositories: entity-level persistence over the one table. Services depend on these.

Services see three storage types, and only through this package: `Page` (a page of entities and the
signed cursor of the next one), `UnitOfWork` (the writes of one decision: services open one, hand it
to repositories' ``stage_*`` methods and commit it) and `WriteCondition` (a condition a repository
builds for another repository's transaction, e.g. "the user is still active"; services pass it
along unopened). `plain_image` reads a stream record's image (the change log and the report cells'
keeper follow the table's stream) as the table's reads answer items.
"""

from sandglass.storage.table import Op as WriteCondition
from sandglass.storage.table import Page, plain_image
from sandglass.storage.transaction import MAX_ACTIONS, UnitOfWork

__all__ = ["MAX_ACTIONS", "Page", "UnitOfWork", "WriteCondition", "plain_image"]
