"""Users (organization members) and their preferences, in the Sandtime reference's shapes."""

import re
from typing import Annotated, Literal, Optional

from pydantic import AfterValidator, Field, StrictBool

from sandglass.entities.people import Member
from sandglass.models import ApiModel, Versioned
from sandglass.models.common import Email, Name, Omittable, TimeZone

OrgRole = Literal["Administrator", "Auditor", "User"]

# BCP 47 language tag syntax (RFC 5646 "langtag", plus private-use and the common grandfathered forms).
_BCP47 = re.compile(
    r"^(?:"
    r"(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4}|[a-z]{5,8})"  # language (+ extlang)
    r"(?:-[a-z]{4})?"  # script
    r"(?:-(?:[a-z]{2}|\d{3}))?"  # region
    r"(?:-(?:[a-z\d]{5,8}|\d[a-z\d]{3}))*"  # variants
    r"(?:-[\da-wy-z](?:-[a-z\d]{2,8})+)*"  # extensions
    r"(?:-x(?:-[a-z\d]{1,8})+)?"  # private use
    r"|x(?:-[a-z\d]{1,8})+"
    r"|i-(?:default|enochian|mingo|klingon|navajo|hak|lux|tao|tay|tsu|pwn|ami|bnn)"
    r")$",
    re.IGNORECASE,
)


def check_locale(tag: str) -> str:
    if len(tag) > 64 or not _BCP47.match(tag):
        raise ValueError(f"'{tag}' is not a BCP 47 language tag (e.g. 'en-US', 'pl-PL', 'zh-Hant-TW')")
    return tag


Locale = Annotated[str, AfterValidator(check_locale)]


class UserInvite(ApiModel):
    email: Email
    name: Optional[Name] = Field(None, min_length=1, max_length=200)
    role: OrgRole = "User"
    title: Optional[Name] = Field(None, max_length=200)
    phone: Optional[Name] = Field(None, max_length=50)
    avatar: Optional[Name] = Field(None, max_length=2048)


class UserUpdate(ApiModel):
    """PUT /users/{id}: profile fields (the user themself or an Administrator); role and archived
    (Administrators only). `email` is the identity: it may be sent unchanged, never changed."""

    name: Omittable[Name] = Field(None, min_length=1, max_length=200)
    title: Optional[Name] = Field(None, max_length=200)
    phone: Optional[Name] = Field(None, max_length=50)
    avatar: Optional[Name] = Field(None, max_length=2048)
    role: Optional[OrgRole] = None
    archived: Optional[StrictBool] = None
    email: Optional[Name] = Field(None, max_length=254)


class User(Versioned):
    archived: bool
    avatar: Optional[str] = None
    email: str
    id: str
    name: str
    phone: Optional[str] = None
    role: OrgRole
    title: Optional[str] = None


def user_view(member: Member) -> User:
    """The member in the Sandtime shape (its version: the ETag)."""
    return User.model_validate({"archived": member.archived, "avatar": member.avatar, "email": member.email, "id": member.id, "name": member.name,
                                "phone": member.phone, "role": member.role, "title": member.title}).at_version(member.version)


# --- preferences -------------------------------------------------------------------------------

class DateTimeFormat(ApiModel):
    clock24Hour: StrictBool = True
    numeric: StrictBool = True
    showSeconds: StrictBool = False


class Desktop(ApiModel):
    startTrackingOnStartup: StrictBool = False
    stopTrackingOnShutdown: StrictBool = True


class DurationFormat(ApiModel):
    compact: StrictBool = False
    mode: Literal["HOURS_MINUTES", "DECIMAL", "HOURS_MINUTES_SECONDS"] = "HOURS_MINUTES"
    showSeconds: StrictBool = False


class Channels(ApiModel):
    dashboard: StrictBool = True
    email: StrictBool = False
    popup: StrictBool = True


def _goal_channels() -> Channels:
    return Channels(dashboard=True, email=True, popup=True)


class Notifications(ApiModel):
    activityCreated: Channels = Field(default_factory=Channels)
    monthlyGoalReached: Channels = Field(default_factory=_goal_channels)


class Preferences(ApiModel):
    """The full document (what GET answers and what is stored)."""

    dateTimeFormat: DateTimeFormat = Field(default_factory=DateTimeFormat)
    desktop: Desktop = Field(default_factory=Desktop)
    durationFormat: DurationFormat = Field(default_factory=DurationFormat)
    locale: Locale = "en-US"
    notifications: Notifications = Field(default_factory=Notifications)
    timeZone: TimeZone = "UTC"


class DateTimeFormatPatch(ApiModel):
    clock24Hour: Optional[StrictBool] = None
    numeric: Optional[StrictBool] = None
    showSeconds: Optional[StrictBool] = None


class DesktopPatch(ApiModel):
    startTrackingOnStartup: Optional[StrictBool] = None
    stopTrackingOnShutdown: Optional[StrictBool] = None


class DurationFormatPatch(ApiModel):
    compact: Optional[StrictBool] = None
    mode: Optional[Literal["HOURS_MINUTES", "DECIMAL", "HOURS_MINUTES_SECONDS"]] = None
    showSeconds: Optional[StrictBool] = None


class ChannelsPatch(ApiModel):
    dashboard: Optional[StrictBool] = None
    email: Optional[StrictBool] = None
    popup: Optional[StrictBool] = None


class NotificationsPatch(ApiModel):
    activityCreated: Optional[ChannelsPatch] = None
    monthlyGoalReached: Optional[ChannelsPatch] = None


class PreferencesUpdate(ApiModel):
    """PUT: any subset; nested objects merge into the stored ones (null leaves a value unchanged)."""

    dateTimeFormat: Optional[DateTimeFormatPatch] = None
    desktop: Optional[DesktopPatch] = None
    durationFormat: Optional[DurationFormatPatch] = None
    locale: Optional[Locale] = None
    notifications: Optional[NotificationsPatch] = None
    timeZone: Optional[TimeZone] = None
