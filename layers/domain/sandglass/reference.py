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


@lru_cache(maxsize=512)
def _zone_exists(name: str) -> bool:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if not name or name != name.strip() or name.startswith("/") or ".." in name or name.lower() == "localtime":
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, IsADirectoryError, OSError):
        return False
    return True


def check_time_zone(name: str) -> str:
    if not _zone_exists(name):
        raise ValueError(f"'{name}' is not an IANA time zone (e.g. 'Europe/Warsaw')")
    return name


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
