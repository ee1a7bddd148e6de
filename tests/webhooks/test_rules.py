"""Signing and the retry schedule (pure)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from omohub.webhooks.rules import backoff, lease, sign, signature, verify

SECRET = "whsec_test"


@given(body=st.binary(max_size=2000), ts=st.integers(min_value=0, max_value=2**33))
def test_a_signature_verifies_and_any_change_breaks_it(body: bytes, ts: int) -> None:
    header = sign(SECRET, ts, body)
    assert verify(SECRET, header, body, now=ts)
    assert not verify(SECRET, header, body + b"x", now=ts)
    assert not verify(SECRET + "x", header, body, now=ts)
    assert not verify(SECRET, sign(SECRET, ts + 1, body).replace(f"t={ts + 1}", f"t={ts}"), body, now=ts)


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    # The published recipe, computed independently of the code under test.
    import hashlib
    import hmac

    expected = hmac.new(b"whsec_test", b"1700000000.{}", hashlib.sha256).hexdigest()
    assert sign(SECRET, 1_700_000_000, b"{}") == f"t=1700000000,v1={expected}"
    assert signature(SECRET, 1_700_000_000, b"{}") == expected


def test_old_or_malformed_headers_are_refused() -> None:
    header = sign(SECRET, 1000, b"{}")
    assert verify(SECRET, header, b"{}", now=1300)
    assert not verify(SECRET, header, b"{}", now=1301)  # replayed after the 5-minute window
    assert not verify(SECRET, header, b"{}", now=699)
    for bad in ["", "t=1000", "v1=abc", "t=abc,v1=00", f"{header},t=1001", "garbage"]:
        assert not verify(SECRET, bad, b"{}", now=1000)


def test_any_of_several_v1_signatures_may_match_during_a_secret_rotation() -> None:
    old, new = sign("whsec_old", 1000, b"{}"), sign(SECRET, 1000, b"{}")
    both = f"{new},v1={old.split('v1=')[1]}"
    assert verify("whsec_old", both, b"{}", now=1000) and verify(SECRET, both, b"{}", now=1000)


def test_backoff_doubles_from_ten_seconds_and_is_capped() -> None:
    assert [backoff(n).total_seconds() for n in range(1, 6)] == [10, 20, 40, 80, 160]
    assert backoff(30) == dt.timedelta(hours=6)
    total = sum((backoff(n) for n in range(1, 12)), dt.timedelta())
    assert dt.timedelta(hours=5) < total < dt.timedelta(hours=6)  # the documented ~5 h 40 min


def test_the_lease_outlasts_a_send() -> None:
    assert lease(60, 10) == dt.timedelta(seconds=60)
    assert lease(1, 10) == dt.timedelta(seconds=30)
