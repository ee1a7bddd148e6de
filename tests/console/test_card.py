"""The member card page: signed links, what it shows, and links that stop working."""

from __future__ import annotations

from fastapi.testclient import TestClient

from omohub.bootstrap import Hub
from omohub.console.card import barcode_svg, card_path, card_token, qr_svg, read_token
from omohub.members.models import Member
from tests.console.seed import Shop
from tests.console.symbols import decode_code128, decode_qr, svg_bars, svg_qr_matrix


def _path(hub: Hub, member_id: int) -> str:
    with hub.uow() as session:
        member = session.get(Member, member_id)
        assert member is not None
        path = card_path(hub.settings.resolved_secret_key(), member)
    assert path is not None
    return path


def _svg(html: str, marker: str) -> str:
    start = html.rindex("<svg", 0, html.index(marker))
    return html[start : html.index("</svg>", start) + 6]


def test_card_page_shows_name_number_barcode_and_qr_without_signing_in(
    client: TestClient, hub: Hub, shop: Shop
) -> None:
    r = client.get(_path(hub, shop.member_id))
    assert r.status_code == 200
    html = r.text
    assert "林小美" in html and "森活衣著" in html and "行動會員卡" in html
    assert f'data-card-no="{shop.card_no}"' in html
    assert decode_code128(svg_bars(_svg(html, 'data-symbology="code128"'))) == shop.card_no
    assert decode_qr(svg_qr_matrix(_svg(html, 'data-symbology="qr"'))) == shop.card_no
    # The link is a bearer secret: it must not leak through Referer headers or caches.
    assert r.headers["referrer-policy"] == "no-referrer"
    assert "no-store" in r.headers["cache-control"]
    assert "set-cookie" not in r.headers


def test_card_page_language(client: TestClient, hub: Hub, shop: Shop) -> None:
    path = _path(hub, shop.member_id)
    assert "Member card" in client.get(path, params={"lang": "en"}).text
    assert "Member card" in client.get(path, headers={"Accept-Language": "en-US,en;q=0.9"}).text
    assert "行動會員卡" in client.get(path, headers={"Accept-Language": "zh-TW,zh;q=0.9"}).text


def test_forged_or_outdated_links_show_nothing(client: TestClient, hub: Hub, shop: Shop) -> None:
    secret = hub.settings.resolved_secret_key()
    good = _path(hub, shop.member_id)
    for path in (
        good[:-2] + "xx",
        "/card/" + card_token("another-secret", shop.member_id, shop.card_no),
        "/card/" + card_token(secret, shop.member_id, "800000000000"),  # not her card number
        "/card/" + card_token(secret, 999999, shop.card_no),
        "/card/garbage",
    ):
        r = client.get(path)
        assert r.status_code == 404, path
        assert shop.card_no not in r.text and "林小美" not in r.text
    # Giving the member a new card number retires every old link.
    with hub.uow() as session:
        member = session.get(Member, shop.member_id)
        assert member is not None
        member.card_no = "812345678903"
    assert client.get(good).status_code == 404


def test_the_card_of_a_merged_profile_still_works_and_names_the_survivor(
    client: TestClient, hub: Hub, shop: Shop
) -> None:
    from omohub.members import service as members
    from omohub.members.schemas import MemberIn

    with hub.uow() as session:
        other = members.join(session, MemberIn(email="mei@example.com", name="小美"), source="web").member
        assert other is not None and other.card_no
        other_id, other_card = other.id, other.card_no
    path = _path(hub, other_id)
    with hub.uow() as session:
        members.merge_by_hand(session, shop.member_id, other_id, "same person", "user:hq_admin")
    html = client.get(path).text
    assert "林小美" in html and f'data-card-no="{other_card}"' in html


def test_token_round_trip_and_symbols() -> None:
    token = card_token("s", 42, "812345678903")
    assert read_token("s", token) == (42, "812345678903")
    assert read_token("t", token) is None
    assert read_token("s", token + "x") is None
    assert 'data-symbology="code128"' in barcode_svg("812345678903")
    assert "<script" not in qr_svg("<script>", label="<b>")
