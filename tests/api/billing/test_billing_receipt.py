"""POST /receipt: plausible receipts go to the provider and their outcome is stored; garbage is 422."""

from __future__ import annotations

import base64
import hashlib
import os

from sandglass import keys

ADMIN = "admin@acme.test"
# the reference's example is a truncated App Store receipt (the "..." makes it not base64)
REFERENCE_EXAMPLE = "MIIT9QYJKoZIhvcNAQcCoIIT5jCCE+ICAQExCzAJBgUr..."


def pkcs7_receipt(size: int = 300) -> str:
    """Base64 of a DER SEQUENCE opening with the PKCS#7 signedData OID (what an App Store receipt is)."""
    oid = bytes.fromhex("06092a864886f70d010702")
    inner = oid + b"\xa0\x82" + (size - 4).to_bytes(2, "big") + b"\x01" * (size - 4)
    return base64.b64encode(b"\x30\x82" + len(inner).to_bytes(2, "big") + inner).decode()


def jws_receipt() -> str:
    def part(raw: bytes) -> bytes:
        return base64.urlsafe_b64encode(raw).rstrip(b"=")

    token = b".".join([part(b'{"alg":"ES256","x5c":["MIIB"]}'), part(b'{"transactionId":"2000000123456789","productId":"seats"}'), part(b"s" * 64)])
    return base64.b64encode(token).decode()


def post(api, text):
    return api.post("/receipt", as_=ADMIN, org="acme", body={"receiptBase64": text})


def test_an_app_store_receipt_is_accepted_and_its_outcome_stored(world, api, table):
    receipt = pkcs7_receipt()
    reply = post(api, receipt)
    assert reply.status == 200 and reply.json() == {"ok": True}
    digest = hashlib.sha256(base64.b64decode(receipt)).hexdigest()
    stored = table.get_item(TableName="sandglass-test", Key=keys.receipt(world.org_id, digest))["Item"]
    assert {k: stored[k] for k in ("kind", "ok", "status", "provider", "submittedAt")} == {
        "kind": "app-store-pkcs7", "ok": True, "status": "accepted-unverified", "provider": "local", "submittedAt": "2026-07-15T12:00:00.000Z"}


def test_a_storekit2_signed_transaction_is_accepted(world, api):
    assert post(api, jws_receipt()).json() == {"ok": True}


def test_garbage_is_422_never_500(world, api):
    der_wrong_length = base64.b64encode(base64.b64decode(pkcs7_receipt())[:-1]).decode()
    cases = [
        "not base64 at all!",
        REFERENCE_EXAMPLE,
        base64.b64encode(os.urandom(200)).decode().replace("+", "-"),  # url-safe alphabet
        base64.b64encode(b"\x00" * 16).decode(),  # too short
        base64.b64encode(os.urandom(400)).decode(),  # random bytes
        base64.b64encode(b"<html>" + b"x" * 200).decode(),
        base64.b64encode(b'{"receipt": "not signed"}' + b" " * 100).decode(),
        der_wrong_length,
        pkcs7_receipt()[:-4],  # cut
        pkcs7_receipt()[:40] + "\n" + pkcs7_receipt()[40:],  # whitespace inside
        "é" * 100,
        "A" * 700_001,  # over the size limit
        base64.b64encode(b"a.b.c" + b"=" * 100).decode(),
        base64.b64encode(b"e30.e30.e30" + b"A" * 60).decode(),  # JWS-like, header without alg
    ]
    for text in cases:
        reply = post(api, text)
        assert reply.status == 422, (text[:60], reply.status, reply.body[:200])
        assert reply.json()["error"]["details"][0]["field"] == "receiptBase64"
    for body in ({}, {"receiptBase64": 123}, {"receiptBase64": ""}, {"receipt": pkcs7_receipt()}):
        assert api.post("/receipt", as_=ADMIN, org="acme", body=body).status == 422, body
