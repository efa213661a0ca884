"""Reference data and validators shared by models: time zones, currencies, countries, formats."""

from __future__ import annotations

import re
from functools import lru_cache

# ISO 4217 active currency codes (funds and precious metals excluded).
CURRENCIES = frozenset(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN
    BZD CAD CDF CHF CLP CNY COP CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL
    GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW
    KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN
    NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK
    SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU
    UYW UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG ZWL
    """.split()
)

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_DOMAIN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$")
RESERVED_DOMAINS = frozenset({"www", "api", "app", "admin", "auth", "mail", "static", "status", "docs", "help", "support", "billing"})


def check_currency(code: str) -> str:
    if code not in CURRENCIES:
        raise ValueError(f"'{code}' is not an ISO 4217 currency code")
    return code


# Names the tz database lists that are not a place's time: the `Factory` placeholder zone; `localtime`
# and `posixrules` (and the `posix/`, `right/` trees) are files of a host's zoneinfo directory.
NOT_TIME_ZONES = frozenset({"Factory", "localtime", "posixrules"})


@lru_cache(maxsize=1)
def time_zones() -> frozenset[str]:
    """The IANA zone names the shipped tzdata package lists (read once, on first use: not at import),
    the same on every host and in Lambda whatever the host's own zoneinfo holds."""
    from importlib import resources

    try:
        names = resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8").split()
    except (ModuleNotFoundError, FileNotFoundError):  # a tzdata without its list: what zoneinfo finds
        import zoneinfo

        names = zoneinfo.available_timezones()
    return frozenset(name for name in names if name not in NOT_TIME_ZONES and not name.startswith(("posix/", "right/")))


@lru_cache(maxsize=1)
def _zones_by_lower_case() -> dict[str, str]:
    return {name.lower(): name for name in time_zones()}


def check_time_zone(name: str) -> str:
    """`name` when it is an IANA zone name the shipped tzdata lists, exactly as listed (no space
    trimmed, no other spelling); otherwise a ValueError saying what is wrong."""
    if name in time_zones():
        return name
    shown = repr(name if len(name) <= 64 else name[:64] + "...")
    if name.strip() in time_zones():
        raise ValueError(f"{shown} has space around it: send the IANA time zone name alone, e.g. {name.strip()!r}")
    suggestion = _zones_by_lower_case().get(name.strip().lower())
    if suggestion:
        raise ValueError(f"{shown} is not an IANA time zone name: did you mean {suggestion!r}?")
    raise ValueError(f"{shown} is not an IANA time zone name (e.g. 'Europe/Warsaw', 'America/New_York', 'UTC')")


def check_hhmm(value: str) -> str:
    if not _HHMM.match(value):
        raise ValueError(f"'{value}' is not a time of day in HH:MM (00:00-23:59)")
    return value


@lru_cache(maxsize=1)
def _countries() -> frozenset[str]:
    import holidays

    return frozenset(holidays.list_supported_countries())


def check_country(code: str) -> str:
    if code not in _countries():
        raise ValueError(f"'{code}' is not a country with a supported holiday calendar (ISO 3166-1 alpha-2, e.g. 'US')")
    return code


def check_domain(value: str) -> str:
    if not _DOMAIN.match(value):
        raise ValueError("A domain is 3-63 lowercase letters, digits or hyphens, starting and ending with a letter or digit")
    if value in RESERVED_DOMAINS:
        raise ValueError(f"'{value}' is reserved")
    return value
