"""Members (three kinds), LINE followers who have not joined, and legacy duplicates to merge.

Identifiers are stored exactly as ``members.rules.normalize`` would store them (E.164
phones, lower-case e-mails, ``source:id`` external ids), verified unless they came from
the legacy import, so look-ups and later sign-ups through the API find these members.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from omohub.demo import data, rules
from omohub.demo.brand import Brand, person_name
from omohub.demo.writer import BulkWriter

DAY = 86400.0
LEGACY_SOURCE = "legacy-crm"


@dataclass(slots=True)
class Person:
    id: int
    kind: str
    gender: str
    name: str
    phone: str
    email: str | None
    joined: float
    home: int  # store index, -1 for none
    carrier: str | None
    web_id: str | None
    line_uid: str | None
    activity: float
    card: str | None = None
    legacy: bool = False


@dataclass
class People:
    members: list[Person]
    #: (legacy duplicate, the member it duplicates), in id order.
    duplicates: list[tuple[Person, Person]]
    #: The pairs a person already reviewed and merged (the others are open suggestions).
    to_merge: list[tuple[Person, Person]]
    #: LINE followers who are not members: (LINE user id, when they followed).
    followers: list[tuple[str, float]]


_MEMBER_COLS = (
    "id",
    "card_no",
    "status",
    "joined_at",
    "name",
    "gender",
    "birthday",
    "home_store_id",
    "joined_channel",
    "einvoice_carrier",
    "traits",
    "created_at",
    "updated_at",
)
_IDENT_COLS = ("member_id", "type", "value", "verified", "source", "created_at", "last_seen_at")


def write_people(w: BulkWriter, seed: int, n: int, start: float, end: float, brand: Brand) -> People:
    rng = random.Random(f"{seed}/people")
    phones: set[str] = set()
    emails: set[str] = set()
    cards: set[str] = set()
    members = [_person(rng, i, start, end, phones, emails) for i in range(1, n + 1)]
    for p in members:
        p.home = _home(rng, p, brand)
        p.card = _unique(cards, lambda: rules.card_number(rng))
    year = int(w.ts(end)[:4])
    w.insert("members", _MEMBER_COLS, (_member_row(w, rng, p, year) for p in members))
    w.insert("identifiers", _IDENT_COLS, (row for p in members for row in _identifiers(w, p)))
    followers = _followers(w, rng, n, start, end)
    duplicates = _duplicates(w, rng, members, n + len(followers) + 1, start)
    to_merge = [pair for i, pair in enumerate(duplicates) if i % round(1 / rules.LEGACY_ALREADY_MERGED) == 0]
    _suggestions(w, [pair for pair in duplicates if pair not in to_merge], start)
    return People(members, duplicates, to_merge, followers)


def _person(
    rng: random.Random, pid: int, start: float, end: float, phones: set[str], emails: set[str]
) -> Person:
    kind = rng.choices(rules.KINDS, weights=rules.KIND_SHARE)[0]
    gender = "F" if rng.random() < 0.7 else "M"
    name, given, surname = person_name(rng, gender)
    joined = (
        rng.uniform(start, end - DAY) if rng.random() < 0.22 else rng.uniform(start - 5 * 365 * DAY, start)
    )
    phone = _unique(phones, lambda: rules.phone(rng))
    email = None
    if kind != "offline" or rng.random() < 0.3:
        email = _unique(emails, lambda: _email(rng, given, surname))
    return Person(
        id=pid,
        kind=kind,
        gender=gender,
        name=name,
        phone=phone,
        email=email,
        joined=joined,
        home=-1,
        carrier=rules.mobile_carrier(rng) if rng.random() < 0.35 else None,
        # Every online member has a web-shop account; some store members made one too.
        web_id=f"{2_000_000 + pid}" if kind != "offline" or rng.random() < 0.25 else None,
        line_uid=rules.line_uid(rng)
        if rng.random() < {"offline": 0.3, "online": 0.35}.get(kind, 0.6)
        else None,
        activity=rules.activity(rng),
    )


def _unique(seen: set[str], make: Callable[[], str]) -> str:
    while True:
        value = make()
        if value not in seen:
            seen.add(value)
            return value


def _email(rng: random.Random, given: str, surname: str) -> str:
    local = rng.choice((f"{given}.{surname}", f"{given}{surname}", f"{surname}.{given}", given))
    if rng.random() < 0.7:
        local += str(rng.choice((rng.randrange(70, 100), rng.randrange(1, 1000))))
    return f"{local}@{rng.choice(data.EMAIL_DOMAINS)}"


def _home(rng: random.Random, p: Person, brand: Brand) -> int:
    if p.kind == "online":
        return -1
    return rng.choices(range(len(brand.store_ids)), cum_weights=brand.store_cum)[0]


def _channel(p: Person) -> str:
    if p.kind == "offline":
        return "pos"
    if p.kind == "online":
        return "app" if p.id % 3 == 0 else "web"
    return ("pos", "pos", "pos", "web", "app", "line")[p.id % 6]


def _member_row(w: BulkWriter, rng: random.Random, p: Person, year: int) -> tuple[object, ...]:
    age = rng.choices((20, 27, 35, 45, 58), weights=(2, 4, 4, 3, 1))[0] + rng.randrange(-4, 5)
    birthday = f"{year - age:04d}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
    at = w.ts(p.joined)
    return (
        p.id,
        p.card,
        "active",
        at,
        p.name,
        p.gender,
        birthday,
        p.home + 1 if p.home >= 0 else None,
        _channel(p),
        p.carrier,
        w.json({}),
        at,
        at,
    )


def _identifiers(w: BulkWriter, p: Person) -> list[tuple[object, ...]]:
    at, source, yes = w.ts(p.joined), _channel(p), w.bool(True)
    rows: list[tuple[object, ...]] = [
        (p.id, "phone", p.phone, yes, source, at, at),
        (p.id, "member_card", p.card, yes, source, at, at),
    ]
    if p.email:
        rows.append((p.id, "email", p.email, yes, source, at, at))
    if p.web_id:
        rows.append((p.id, "external", f"web:{p.web_id}", yes, "web", at, at))
    if p.line_uid:
        rows.append((p.id, "line_uid", p.line_uid, yes, "line", at, at))
    return rows


def _followers(
    w: BulkWriter, rng: random.Random, n: int, start: float, end: float
) -> list[tuple[str, float]]:
    """LINE followers who have not joined: a profile with only a LINE user id, no card."""
    followers = [
        (rules.line_uid(rng), rng.uniform(start, end - DAY))
        for _ in range(round(n * rules.FOLLOWERS_ONLY_PER_MEMBER))
    ]
    rows, idents = [], []
    for i, (uid, followed) in enumerate(followers):
        mid, at = n + 1 + i, w.ts(followed)
        rows.append((mid, None, "active", None, None, None, None, None, "line", None, w.json({}), at, at))
        idents.append((mid, "line_uid", uid, w.bool(True), "line", at, at))
    w.insert("members", _MEMBER_COLS, rows)
    w.insert("identifiers", _IDENT_COLS, idents)
    return followers


def _duplicates(
    w: BulkWriter, rng: random.Random, members: list[Person], first_id: int, start: float
) -> list[tuple[Person, Person]]:
    """Members the old CRM also had: same phone (unverified), no card, an old CRM id."""
    older = [p for p in members if p.joined < start and p.kind != "online"]
    picked = sorted(
        rng.sample(older, min(len(older), round(len(members) * rules.LEGACY_DUPLICATE_SHARE))),
        key=lambda p: p.id,
    )
    imported = start - 30 * DAY
    at = w.ts(imported)
    pairs, rows, idents = [], [], []
    for i, original in enumerate(picked):
        dup = Person(
            id=first_id + i,
            kind="offline",
            gender=original.gender,
            name=original.name,
            phone=original.phone,
            email=None,
            joined=original.joined - rng.uniform(30, 900) * DAY,
            home=original.home,
            carrier=None,
            web_id=None,
            line_uid=None,
            activity=0.3,
            legacy=True,
        )
        pairs.append((dup, original))
        joined = w.ts(dup.joined)
        rows.append(
            (
                dup.id,
                None,
                "active",
                joined,
                dup.name,
                dup.gender,
                None,
                dup.home + 1 if dup.home >= 0 else None,
                "import",
                None,
                w.json({"legacy_crm_id": f"C{80000 + i:06d}"}),
                at,
                at,
            )
        )
        idents.append((dup.id, "phone", dup.phone, w.bool(False), LEGACY_SOURCE, at, at))
        idents.append(
            (dup.id, "external", f"{LEGACY_SOURCE}:C{80000 + i:06d}", w.bool(True), LEGACY_SOURCE, at, at)
        )
    w.insert("members", _MEMBER_COLS, rows)
    w.insert("identifiers", _IDENT_COLS, idents)
    return pairs


def _suggestions(w: BulkWriter, pairs: list[tuple[Person, Person]], start: float) -> None:
    at = w.ts(start - 30 * DAY)
    w.insert(
        "merge_suggestions",
        ("member_low_id", "member_high_id", "reason", "status", "created_at"),
        (
            (
                original.id,
                dup.id,
                f"{LEGACY_SOURCE} import: same phone, unverified",
                "open",
                at,
            )
            for dup, original in pairs
        ),
    )
