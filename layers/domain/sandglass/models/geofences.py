"""Geofences and geofencing events, in the Sandtime reference's shapes."""

from typing import Annotated, Literal, Optional, Union

from pydantic import AfterValidator, Field

from sandglass.entities import geofences as entities
from sandglass.entities.geofences import START_TRACKING, START_TRACKING_PROJECT, STOP_TRACKING
from sandglass.models import ApiModel, Versioned
from sandglass.models.common import EntityId, Omittable
from sandglass.models.common import Name as SingleLine

__all__ = ["START_TRACKING", "START_TRACKING_PROJECT", "STOP_TRACKING", "Geofence", "GeofenceCreate", "GeofenceEvent", "GeofenceUpdate",
           "geofence_fields", "geofence_view"]

NONE = "NONE"

MIN_RADIUS_M = 10
MAX_RADIUS_M = 50_000

EnterAction = Literal["START_TRACKING_PROJECT", "START_TRACKING", "NONE"]
ExitAction = Literal["STOP_TRACKING", "NONE"]


def _coordinate(value: float) -> float:
    """Degrees to 9 decimal places (0.1 mm, beyond any GPS). It also keeps every coordinate
    storable: DynamoDB numbers cannot be smaller than 1e-130 in magnitude (a longitude of -5e-274
    was a 500). `+ 0.0` turns -0.0 into 0.0."""
    return round(value, 9) + 0.0


# strict: a JSON string such as "52.2" is refused (numbers only); integers are numbers too
Latitude = Annotated[float, Field(strict=True, ge=-90, le=90, allow_inf_nan=False, description="Degrees (9 decimal places kept)"), AfterValidator(_coordinate)]
Longitude = Annotated[float, Field(strict=True, ge=-180, le=180, allow_inf_nan=False, description="Degrees (9 decimal places kept)"), AfterValidator(_coordinate)]
Radius = Annotated[float, Field(strict=True, ge=MIN_RADIUS_M, le=MAX_RADIUS_M, allow_inf_nan=False, description="Metres")]
Name = Annotated[SingleLine, Field(min_length=1, max_length=200)]
Source = Annotated[SingleLine, Field(max_length=100, description="What reported the event, e.g. ios-geofence")]

# Fields of a PUT that may not be null (projectId may: it clears the project).
NOT_NULL = ("name", "latitude", "longitude", "radius", "enterAction", "exitAction")


class GeofenceCreate(ApiModel):
    """POST /geofences. `projectId` is required for START_TRACKING_PROJECT; for START_TRACKING it
    is the fallback project when the member has never tracked time."""

    name: Name
    latitude: Latitude
    longitude: Longitude
    radius: Radius
    enterAction: EnterAction
    exitAction: ExitAction
    projectId: Optional[EntityId] = None


class GeofenceUpdate(ApiModel):
    """PUT /geofences/{id}: any subset of the fields; the result is validated as a whole."""

    name: Omittable[Name] = None
    latitude: Omittable[Latitude] = None
    longitude: Omittable[Longitude] = None
    radius: Omittable[Radius] = None
    enterAction: Omittable[EnterAction] = None
    exitAction: Omittable[ExitAction] = None
    projectId: Optional[EntityId] = Field(None, description="null clears the project")


class Geofence(Versioned):
    enterAction: EnterAction
    exitAction: ExitAction
    id: str
    latitude: Union[int, float]
    longitude: Union[int, float]
    name: str
    projectId: Optional[str] = None
    radius: Union[int, float]


class GeofenceEvent(ApiModel):
    """POST /geofencing/enter and /geofencing/exit: where the device is. The event happens now."""

    latitude: Latitude
    longitude: Longitude
    source: Optional[Source] = None



# Sandtime field -> Geofence entity field
ENTITY_FIELDS = {"name": "name", "latitude": "latitude", "longitude": "longitude", "radius": "radius", "enterAction": "enter_action",
                 "exitAction": "exit_action", "projectId": "project_id"}


def geofence_fields(data: dict) -> dict:
    """A create or update body's fields (Sandtime names) as Geofence entity fields."""
    return {ENTITY_FIELDS[name]: value for name, value in data.items()}


def _number(value) -> int | float:
    """120.0 shows as 120 (as the reference writes radii); 52.2297 stays as it is."""
    number = float(value)
    return int(number) if number.is_integer() else number


def geofence_view(geofence: entities.Geofence) -> Geofence:
    """A geofence as the Sandtime surface shows it (its version becomes the ETag)."""
    return Geofence(enterAction=geofence.enter_action, exitAction=geofence.exit_action, id=geofence.id, name=geofence.name,
                    projectId=geofence.project_id, latitude=_number(geofence.latitude), longitude=_number(geofence.longitude),
                    radius=_number(geofence.radius)).at_version(geofence.version)
