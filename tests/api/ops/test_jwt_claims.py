"""Tokens' time claims (exp, iat, nbf) must be NumericDates: JSON integers. A string, a float,
a boolean or a non-finite number is refused with 401 (RFC 7519 §2; see docs/api.md, Auth)."""

from __future__ import annotations

import time

import pytest

from tests.conftest import SECRET

ADMIN = "admin@acme.test"


def _token(**claims) -> str:
    import jwt

    return jwt.encode({"email": ADMIN, **claims}, SECRET, algorithm="HS256")


def _in(seconds: int) -> int:
    return int(time.time()) + seconds


def test_integer_claims_are_accepted(api, acme):
    token = _token(exp=_in(3600), iat=_in(0), nbf=_in(-10))
    assert api.get("/organization", org="acme", token=token).status == 200


@pytest.mark.parametrize(
    "claims",
    [
        pytest.param({"exp": str(_in(3600))}, id="exp-string"),
        pytest.param({"exp": _in(3600) + 0.5}, id="exp-float"),
        pytest.param({"exp": float(_in(3600))}, id="exp-integral-float"),
        pytest.param({"exp": True}, id="exp-bool"),
        pytest.param({"exp": _in(3600), "iat": str(_in(0))}, id="iat-string"),
        pytest.param({"exp": _in(3600), "iat": _in(0) + 0.25}, id="iat-float"),
        pytest.param({"exp": _in(3600), "nbf": str(_in(-10))}, id="nbf-string"),
        pytest.param({"exp": _in(3600), "nbf": _in(-10) + 0.5}, id="nbf-float"),
        pytest.param({"exp": _in(3600), "nbf": None}, id="nbf-null"),
    ],
)
def test_non_integer_time_claims_are_401(api, acme, claims):
    reply = api.get("/organization", org="acme", token=_token(**claims))
    assert reply.status == 401
    assert reply.json()["error"]["code"] == "UNAUTHORIZED"


def test_infinite_exp_is_401_not_an_authorizer_crash(api, acme):
    """json.loads reads 1e999 as inf; int(inf) raised OverflowError inside PyJWT (a 500)."""
    import base64
    import hashlib
    import hmac
    import json

    def part(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    header = part(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = part(b'{"email": "admin@acme.test", "exp": 1e999}')
    signature = part(hmac.new(SECRET.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest())
    assert api.get("/organization", org="acme", token=f"{header}.{payload}.{signature}").status == 401


def test_time_rules_still_apply(api, acme):
    assert api.get("/organization", org="acme", token=_token(exp=_in(-120))).status == 401  # expired beyond leeway
    assert api.get("/organization", org="acme", token=_token(exp=_in(-10))).status == 200  # within the 30 s leeway
    assert api.get("/organization", org="acme", token=_token(exp=_in(3600), nbf=_in(600))).status == 401  # not yet valid
    assert api.get("/organization", org="acme", token=_token(exp=_in(3600), iat=_in(600))).status == 401  # issued in the future
    assert api.get("/organization", org="acme", token=_token(nbf=_in(-10))).status == 401  # exp is required
