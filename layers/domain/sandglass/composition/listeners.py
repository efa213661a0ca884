"""Who follows organization settings, besides the schedules' due index."""

from __future__ import annotations

from sandglass.composition import once, table
from sandglass.entities.organizations import SettingsChanged
from sandglass.repositories.locks import LockRepository
from sandglass.services import lock_rules


class LockVersionsFollowSettings:
    """Settings listener: members' lock versions move when the watermark or the lock zone does, so
    an activity write that read the old settings cannot commit (services/lock_rules.py)."""

    def __init__(self, repository: LockRepository):
        self.repository = repository

    def settings_changed(self, event: SettingsChanged) -> None:
        lock_rules.after_settings_change(self.repository, event.org_id, event.before.settings, event.after.settings)


@once
def lock_versions() -> LockVersionsFollowSettings:
    return LockVersionsFollowSettings(LockRepository(table()))
