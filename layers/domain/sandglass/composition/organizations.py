"""Organizations: settings changes reach the schedules' due index and members' lock versions."""

from __future__ import annotations

from sandglass.adapters.throttle_keys import configured as throttle_keys
from sandglass.composition import clock, once, table
from sandglass.composition.listeners import lock_versions
from sandglass.composition.schedules import schedules
from sandglass.repositories.organizations import OrganizationRepository
from sandglass.services.organizations import OrganizationService
from sandglass.settings import get_settings


@once
def organizations() -> OrganizationService:
    return OrganizationService(OrganizationRepository(table()), clock(), listeners=(schedules(), lock_versions()),
                               offboarding_url=get_settings().offboarding_url,
                               throttle_keys=throttle_keys(get_settings().throttle_usage_plan_id))
