"""The examples in docs/orders.md work as written."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

DOC = Path(__file__).resolve().parents[2] / "docs" / "orders.md"


def _bodies() -> list[dict[str, Any]]:
    return [json.loads(m) for m in re.findall(r"-d '(\{.*?\})'\n", DOC.read_text(), flags=re.S)]


def test_documented_order_and_return_examples(
    client: TestClient, pos: dict[str, str], catalog: dict[str, int]
) -> None:
    order_body, return_body = _bodies()
    client.post("/api/v1/members", headers=pos, json={"phone": "0912345678"})
    r = client.post("/api/v1/orders", headers=pos, json=order_body)
    assert r.status_code == 201, r.text
    order = r.json()
    assert (order["total"], order["business_date"]) == (2300, "2025-03-01")
    assert order["member_id"] is not None
    # 60 off allocated 1980:380 -> 50.3 and 9.7 -> 50 and 10 (the larger remainder wins)
    assert [li["order_discount"] for li in order["lines"]] == [50, 10]
    r = client.post(
        f"/api/v1/orders/{order['id']}/returns",
        headers={**pos, "Idempotency-Key": "RET-TPE-DAAN-0007"},
        json=return_body,
    )
    assert r.status_code == 201, r.text
    assert r.json()["return"]["refund_total"] == 1930
