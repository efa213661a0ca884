"""Lean Query pages (Table.query_all(lean=True)) decode wire values exactly as boto3's deserializer."""

from decimal import Decimal

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from hypothesis import given
from hypothesis import strategies as st

from sandglass.storage.table import plain_value

scalars = st.one_of(st.none(), st.booleans(), st.text(max_size=20), st.integers(-10**20, 10**20).map(Decimal),
                    st.decimals(allow_nan=False, allow_infinity=False, places=4, min_value=-10**9, max_value=10**9))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                      max_leaves=12)


@given(st.one_of(values, st.sets(st.text(max_size=5), min_size=1, max_size=3)))
def test_plain_value_is_what_boto3_deserializes(value):
    wire = TypeSerializer().serialize(value)
    assert plain_value(wire) == TypeDeserializer().deserialize(wire)
