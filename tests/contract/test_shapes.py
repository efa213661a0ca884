"""The shape comparison the contract replay relies on."""

from __future__ import annotations

from tests.contract.shapes import differences, schema_allows_null

ID_A = "9d58c4ce-3e6f-4d06-bf47-f70d8c4af001"
ID_B = "58f5aa89-aed2-4a67-8808-d85ef4034f42"
PROJECT = {"id": ID_A, "name": "Website refresh", "avatar": None, "billable": True, "rate": 12, "tags": ["a"],
           "coreHours": {"start": "09:00"}, "createdAt": "2026-07-03T07:00:00.000Z"}


def test_the_same_shape_with_other_values_matches():
    ours = {**PROJECT, "id": ID_B, "name": "Other", "avatar": "https://x/y.png", "rate": 12.5, "tags": [], "coreHours": {"start": "08:00"}}
    assert differences(ours, PROJECT) == []


def test_missing_extra_and_mistyped_fields_are_each_named_with_their_location():
    ours = {key: value for key, value in PROJECT.items() if key != "name"}
    ours.update(billable="yes", extra=1, coreHours={"start": 9}, tags=[1])
    assert differences(ours, PROJECT) == [
        "$.name: missing",
        "$.extra: not in the reference",
        "$.billable: string, the reference has boolean",
        "$.coreHours.start: number, the reference has string",
        "$.tags[]: number, the reference has string",
    ]
    assert "$.extra: not in the reference" not in differences(ours, PROJECT, frozenset({"$.extra"}))


def test_a_boolean_is_not_a_number_and_formats_follow_the_example():
    assert differences({**PROJECT, "rate": True}, PROJECT) == ["$.rate: boolean, the reference has number"]
    assert differences({**PROJECT, "createdAt": "2026-07-03T09:00:00+02:00", "id": "7"}, PROJECT) == [
        "$.createdAt: '2026-07-03T09:00:00+02:00' is not a UTC timestamp with milliseconds and Z",
        "$.id: '7' is not a UUID",
    ]


def test_id_keyed_maps_compare_their_values_and_keys():
    reference = {ID_A: PROJECT}
    assert differences({ID_B: {**PROJECT, "id": ID_B}}, reference) == []
    assert differences({}, reference) == ["$: an empty map, its values' shape is not verified"]
    assert differences({ID_B: {**PROJECT, "billable": None}}, reference) == [
        f"$.{ID_B}: keyed by '{ID_B}' but its id is '{ID_A}'",
        "$.*.billable: null, the reference has boolean",
    ]


def test_null_where_the_reference_has_a_value_needs_a_nullable_schema():
    document = {"components": {"schemas": {"User": {"properties": {"phone": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                                                                   "name": {"type": "string"}}}}}}
    users = {"additionalProperties": {"$ref": "#/components/schemas/User"}}
    reference = {ID_A: {"phone": "+1 415", "name": "Alex"}}
    ours = {ID_B: {"phone": None, "name": None}}
    nullable = lambda where: schema_allows_null(document, users, where)  # noqa: E731
    assert differences(ours, reference, may_be_null=nullable) == ["$.*.name: null, the reference has string"]
    assert differences({"anything": 1}, None) == []
