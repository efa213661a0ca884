"""Seats: a paid plan's quantity bounds the members; invites past it are refused, race-free."""

from __future__ import annotations

import threading

from sandglass import keys

ADMIN = "admin@acme.test"


def seat_counter(table, org_id: str) -> dict:
    return table.get_item(TableName="sandglass-test", Key=keys.seats(org_id)).get("Item") or {}


def test_the_free_plan_has_no_seat_limit(world):
    for i in range(4):
        assert world.invite(f"u{i}@acme.test").status == 200


def test_an_invite_past_the_paid_seats_is_409_with_a_clear_message(world, api, table):
    world.buy(3)  # admin + sam hold 2
    assert world.invite("ana@acme.test").status == 200
    reply = world.invite("bob@acme.test")
    assert reply.status == 409
    error = reply.json()["error"]
    assert error["code"] == "SEAT_LIMIT_REACHED"
    assert "seat" in error["message"] and "quantity" in error["message"]
    assert api.get("/users", as_=ADMIN, org="acme").json().keys().__len__() == 3
    counter = seat_counter(table, world.org_id)
    assert (counter["used"], counter["seatLimit"], counter["counted"]) == (3, 3, True)


def test_re_inviting_a_member_at_the_limit_still_works(world):
    world.buy(2)
    assert world.invite("sam@acme.test").status == 200


def test_deleting_a_user_frees_a_seat(world, api):
    world.buy(2)
    assert world.invite("ana@acme.test").status == 409
    assert api.delete(f"/users/{world.sam['id']}", as_=ADMIN, org="acme").status == 200
    assert world.invite("ana@acme.test").status == 200
    assert world.invite("bob@acme.test").status == 409


def test_raising_the_quantity_makes_room(world, api):
    subscription = world.buy(2)
    assert world.invite("ana@acme.test").status == 409
    assert api.put(f"/subscriptions/{subscription['id']}", as_=ADMIN, org="acme", body={"quantity": 3}).status == 200
    assert world.invite("ana@acme.test").status == 200


def test_lowering_the_quantity_below_the_seats_in_use_is_409(world, api, table):
    subscription = world.buy(3)
    reply = api.put(f"/subscriptions/{subscription['id']}", as_=ADMIN, org="acme", body={"quantity": 1})
    assert reply.status == 409 and reply.json()["error"]["code"] == "SEATS_IN_USE"
    assert world.subscriptions()[0]["quantity"] == 3
    assert seat_counter(table, world.org_id)["seatLimit"] == 3
    assert api.put(f"/subscriptions/{subscription['id']}", as_=ADMIN, org="acme", body={"quantity": 2}).status == 200
    assert seat_counter(table, world.org_id)["seatLimit"] == 2


def test_members_added_before_the_subscription_are_counted(world, seed, table):
    for i in range(3):  # written straight to the table: the counter never saw them
        seed.member("acme", f"early{i}@acme.test")
    reply = world.api.post("/checkout", as_=ADMIN, org="acme", body={"product": 123456, "quantity": 4})
    assert reply.status == 409  # 5 members
    world.buy(5)
    assert seat_counter(table, world.org_id)["used"] == 5
    assert world.invite("late@acme.test").status == 409


def test_two_concurrent_invites_cannot_both_take_the_last_seat(world, api, table):
    world.buy(3)  # one seat left
    statuses: list[int] = []

    def invite(email: str) -> None:
        statuses.append(world.invite(email).status)

    threads = [threading.Thread(target=invite, args=(f"racer{i}@acme.test",)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 409, 409, 409, 409, 409]
    assert len(api.get("/users", as_=ADMIN, org="acme").json()) == 3
    assert seat_counter(table, world.org_id)["used"] == 3


def test_cancelling_back_to_free_lifts_the_limit(world, api, table):
    from sandglass.repositories.billing import LocalPaymentsRepository

    subscription = world.buy(2)
    assert world.invite("ana@acme.test").status == 409
    # the provider cancels it (as a Paddle dashboard would); the next read picks it up
    LocalPaymentsRepository().table.update(keys.local_subscription(world.org_id, subscription["id"]), "SET #s = :c",
                                           {"#s": "status"}, {":c": "canceled"})
    assert world.subscriptions()[0]["status"] == "canceled"
    assert world.plan() == "free"
    assert "seatLimit" not in seat_counter(table, world.org_id)
    assert world.invite("ana@acme.test").status == 200
