"""A pricing scenario: what a planner wants to try, validated, and its JSON form for saving.

    Scenario(name, start, end, skus=(), categories=(), channels=(), price_change_pct=0.0,
             promotions=(Promotion(discount_pct, start, end, type), ...))

* Scope: the SKUs listed plus every SKU of the categories listed; both empty means every SKU.
  ``channels`` empty means every channel; otherwise the change reaches only the demand that comes
  through those channels (its historical share of the SKU's units).
* ``price_change_pct`` changes the regular price of the scope for the whole window [start, end]
  (-10 = 10% cheaper). Promotions are discounts off that price on their own dates, inside the window.
* ``type`` names the promotion type whose extra lift (beyond the discount's price effect) applies;
  types are those of the promotions feed ("percent_off", "bundle", ...).

Every check raises ScenarioError (a ValueError) with a message naming the field and the rule, so a
tampered link or a hand-edited saved scenario never reaches the model.
"""
from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, replace
from datetime import date

from lib.fmt import words

__all__ = ["Promotion", "Scenario", "ScenarioError", "PRICE_CHANGE_RANGE", "DISCOUNT_RANGE", "MAX_PROMOTIONS",
           "NAME_MAX"]

PRICE_CHANGE_RANGE = (-90.0, 200.0)   # % change of the regular price
DISCOUNT_RANGE = (0.0, 90.0)          # promotion discount %, exclusive of 0, inclusive of 90
MAX_PROMOTIONS = 20
NAME_MAX = 80


class ScenarioError(ValueError):
    """A scenario field breaks a rule; the message says which and how."""


def _day(value, what: str) -> date:
    if isinstance(value, date):
        return value if type(value) is date else value.date() if hasattr(value, "date") else value
    try:
        return date.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise ScenarioError(f"{what} must be a date like 2026-03-01 (got {value!r}).") from None


def _number(value, what: str) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ScenarioError(f"{what} must be a number (got {value!r}).") from None
    if not math.isfinite(x):
        raise ScenarioError(f"{what} must be a finite number (got {value!r}).")
    return x


def _listing(names, one: str, many: str, few: str = "") -> str:
    """'Kitchen' / 'Kitchen, Bath and Garden' (with ``few`` before a list of 2-3) / '5 categories'."""
    names = list(names)
    if len(names) == 1:
        return f"{one}{names[0]}"
    if len(names) > 3:
        return f"{len(names)} {many}"
    return f"{few}{', '.join(names[:-1])} and {names[-1]}"


def _names(values, what: str) -> tuple[str, ...]:
    if values is None:
        return ()
    if isinstance(values, str):
        values = [values]
    out = []
    for v in values:
        if not isinstance(v, str) or not v.strip():
            raise ScenarioError(f"{what} must be a list of non-empty names (got {v!r}).")
        if v not in out:
            out.append(v)
    return tuple(out)


@dataclass(frozen=True)
class Promotion:
    discount_pct: float
    start: date
    end: date
    type: str = "percent_off"

    def __post_init__(self):
        object.__setattr__(self, "discount_pct", _number(self.discount_pct, "A promotion's discount"))
        object.__setattr__(self, "start", _day(self.start, "A promotion's start"))
        object.__setattr__(self, "end", _day(self.end, "A promotion's end"))
        lo, hi = DISCOUNT_RANGE
        if not lo < self.discount_pct <= hi:
            raise ScenarioError(f"A promotion's discount must be above {lo:g}% and at most {hi:g}% "
                                f"(got {self.discount_pct:g}%).")
        if self.end < self.start:
            raise ScenarioError(f"A promotion ends ({self.end}) before it starts ({self.start}).")
        if not isinstance(self.type, str) or not self.type.strip():
            raise ScenarioError(f"A promotion's type must be a name (got {self.type!r}).")


@dataclass(frozen=True)
class Scenario:
    name: str
    start: date
    end: date
    skus: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    price_change_pct: float = 0.0
    promotions: tuple[Promotion, ...] = field(default_factory=tuple)

    def __post_init__(self):
        name = self.name.strip() if isinstance(self.name, str) else ""
        if not name or len(name) > NAME_MAX:
            raise ScenarioError(f"A scenario needs a name of 1 to {NAME_MAX} characters (got {self.name!r}).")
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "start", _day(self.start, "The scenario's start"))
        object.__setattr__(self, "end", _day(self.end, "The scenario's end"))
        if self.end < self.start:
            raise ScenarioError(f"The scenario ends ({self.end}) before it starts ({self.start}).")
        for attr, what in (("skus", "SKUs"), ("categories", "Categories"), ("channels", "Channels")):
            object.__setattr__(self, attr, _names(getattr(self, attr), what))
        pc = _number(self.price_change_pct, "The price change")
        lo, hi = PRICE_CHANGE_RANGE
        if not lo <= pc <= hi:
            raise ScenarioError(f"The price change must be between {lo:g}% and {hi:g}% (got {pc:g}%).")
        object.__setattr__(self, "price_change_pct", pc)
        promos = tuple(p if isinstance(p, Promotion) else Promotion(**p) for p in (self.promotions or ()))
        if len(promos) > MAX_PROMOTIONS:
            raise ScenarioError(f"A scenario holds at most {MAX_PROMOTIONS} promotions (got {len(promos)}).")
        for i, p in enumerate(promos, 1):
            if p.start < self.start or p.end > self.end:
                raise ScenarioError(f"Promotion {i} ({p.start} to {p.end}) must fall inside the scenario window "
                                    f"({self.start} to {self.end}).")
        object.__setattr__(self, "promotions", promos)

    @property
    def changes_nothing(self) -> bool:
        """No price change and no promotion: the scenario is the baseline."""
        return self.price_change_pct == 0 and not self.promotions

    def scope_text(self) -> str:
        """The scope in words: "Kitchen · every channel", "Kitchen, plus SKU A-1 · Web only", "every SKU · every
        channel" (up to three names are listed, more are counted; channel keys in words)."""
        parts = []
        if self.categories:
            parts.append(_listing(self.categories, "", "categories"))
        if self.skus:
            parts.append(_listing(self.skus, "SKU ", "SKUs", "SKUs "))
        what = ", plus ".join(parts) if parts else "every SKU"
        where = _listing([words(c) for c in self.channels], "", "channels") + " only" if self.channels \
            else "every channel"
        return f"{what} · {where}"

    def window_text(self) -> str:
        """The window in words: "Dec 06 – Dec 19, 2026 (14 days)"."""
        days = (self.end - self.start).days + 1
        first = f"{self.start:%b %d}" if self.start.year == self.end.year else f"{self.start:%b %d, %Y}"
        return f"{first} – {self.end:%b %d, %Y} ({days} day{'' if days == 1 else 's'})"

    def with_name(self, name: str) -> Scenario:
        return replace(self, name=name)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["start"], d["end"] = self.start.isoformat(), self.end.isoformat()
        d["promotions"] = [{**asdict(p), "start": p.start.isoformat(), "end": p.end.isoformat()}
                           for p in self.promotions]
        for k in ("skus", "categories", "channels"):
            d[k] = list(d[k])
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_dict(cls, d: dict) -> Scenario:
        if not isinstance(d, dict):
            raise ScenarioError("A saved scenario must be a JSON object.")
        known = {"name", "start", "end", "skus", "categories", "channels", "price_change_pct", "promotions"}
        unknown = sorted(set(d) - known)
        if unknown:
            raise ScenarioError(f"Unknown scenario field(s): {', '.join(unknown)}.")
        promos = d.get("promotions") or []
        if not isinstance(promos, list) or not all(isinstance(p, dict) for p in promos):
            raise ScenarioError("A scenario's promotions must be a list of objects.")
        for p in promos:
            extra = sorted(set(p) - {"discount_pct", "start", "end", "type"})
            if extra:
                raise ScenarioError(f"Unknown promotion field(s): {', '.join(extra)}.")
        try:
            return cls(**{**d, "promotions": tuple(Promotion(**p) for p in promos)})
        except TypeError as err:
            raise ScenarioError(f"A scenario is missing a field: {err}.") from None

    @classmethod
    def from_json(cls, text: str) -> Scenario:
        try:
            d = json.loads(text)
        except (TypeError, ValueError):
            raise ScenarioError("A saved scenario is not valid JSON.") from None
        return cls.from_dict(d)
