from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from sandglass.entities.groups import GroupMembership, GroupSpan, spans

FEB = (date(2026, 2, 1), date(2026, 2, 28))


def member(group, day, user="u1"):
    return GroupMembership(user_id=user, group_id=group, from_day=day)


def test_a_person_who_moved_on_the_10th_has_two_spans_in_the_month():
    found = spans([member("sales", date(2025, 11, 3)), member("support", date(2026, 2, 10))], *FEB)
    assert found == [GroupSpan(user_id="u1", group_id="sales", first=date(2026, 2, 1), last=date(2026, 2, 9)),
                     GroupSpan(user_id="u1", group_id="support", first=date(2026, 2, 10), last=date(2026, 2, 28))]


def test_leaving_every_group_ends_the_span_and_later_or_earlier_memberships_do_not_count():
    found = spans([member("sales", date(2026, 2, 5)), member(None, date(2026, 2, 20)), member("ops", date(2026, 3, 1)),
                   member("old", date(2025, 1, 1), user="u2"), member("new", date(2026, 1, 1), user="u2")], *FEB)
    assert found == [GroupSpan(user_id="u2", group_id="new", first=date(2026, 2, 1), last=date(2026, 2, 28)),
                     GroupSpan(user_id="u1", group_id="sales", first=date(2026, 2, 5), last=date(2026, 2, 19))]


@given(st.lists(st.tuples(st.sampled_from(["a", "b", None]), st.integers(-40, 60)), max_size=8, unique_by=lambda t: t[1]))
def test_every_day_of_the_range_is_in_at_most_one_span_and_it_is_the_latest_membership_on_or_before_it(history):
    memberships = [member(group, FEB[0] + timedelta(days=offset)) for group, offset in history]
    found = spans(memberships, *FEB)
    day = FEB[0]
    while day <= FEB[1]:
        covering = [span.group_id for span in found if span.first <= day <= span.last]
        latest = max((m for m in memberships if m.from_day <= day), key=lambda m: m.from_day, default=None)
        assert covering == ([latest.group_id] if latest and latest.group_id else [])
        day += timedelta(days=1)
