from tests.checkout.conftest import catalog, clock, hub, member, new_member, promote

__all__ = ["catalog", "clock", "hub", "member", "new_member", "promote"]
