"""Splitting an amount across members: by a weighted mix of keys, within a floor and a cap
per member, to the penny, summing exactly to the total.

Exact arithmetic throughout (fractions of a penny), so the only rounding is the last step:
largest remainder — every member gets its share rounded down to the penny, then the pennies
left over go one each to the largest fractions (ties to the member first by name), which is
the Hare–Niemeyer method used for seat apportionment. A floor or cap is met exactly: members
pushed past one are fixed at it and the rest is shared again among the others, in proportion
to their mixed shares, until nobody is outside their limits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from consortium.core.errors import ValidationFailed


@dataclass(frozen=True)
class Member:
    key: str  # a stable name for ties and results (the organisation's name, or its id)
    figures: Mapping[str, Decimal]  # {key: this member's figure}
    floor: Decimal | None = None
    cap: Decimal | None = None


@dataclass
class Share:
    key: str
    charge: Decimal
    mixed_percent: Decimal  # the member's share of the mix before floors and caps, in %
    limited: str = ""  # "floor" or "cap" when a limit set the charge
    figures: dict[str, str] = field(default_factory=dict)


def _pence(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def apportion(total: Decimal, weights: Mapping[str, Decimal], members: Sequence[Member]) -> list[Share]:
    """Shares of `total` (pounds, to the penny) for `members`, by `weights` ({key: %} adding to
    100). Raises ValidationFailed naming the key or limit that makes the split impossible."""
    if not members:
        raise ValidationFailed(
            "There are no members to share the cost", field_errors={"members": "No members"}
        )
    if total < 0 or total != total.quantize(Decimal("0.01")):
        raise ValidationFailed(
            "The total must be pounds and pence, £0 or more", field_errors={"total": "Check"}
        )
    if sum(weights.values(), Decimal(0)) != 100:
        raise ValidationFailed(
            "The weights must add up to 100%", field_errors={"weights": "Must add up to 100"}
        )
    pot = _pence(total)
    # Each member's mixed share: Σ over keys of weight × figure ÷ Σ figures, exactly.
    mixed = {m.key: Fraction(0) for m in members}
    for name, weight in weights.items():
        if weight == 0:
            continue
        values = {m.key: Fraction(m.figures.get(name, Decimal(0))) for m in members}
        if any(v < 0 for v in values.values()):
            raise ValidationFailed(
                f"A member's {name} figure is below zero", field_errors={f"weights.{name}": "Negative figure"}
            )
        whole = sum(values.values(), Fraction(0))
        if whole == 0:
            raise ValidationFailed(
                f"No member has a {name} figure, so it cannot carry a weight",
                field_errors={f"weights.{name}": f"No {name} figures"},
            )
        for key, value in values.items():
            mixed[key] += Fraction(weight) / 100 * value / whole
    floors = {m.key: _pence(m.floor) if m.floor is not None else 0 for m in members}
    caps = {m.key: _pence(m.cap) if m.cap is not None else None for m in members}
    for m in members:
        cap = caps[m.key]
        if cap is not None and cap < floors[m.key]:
            raise ValidationFailed(
                f"{m.key}'s cap is below its floor", field_errors={"limits": "A cap is below a floor"}
            )
    if sum(floors.values()) > pot:
        raise ValidationFailed(
            "The members' floors add up to more than the budget", field_errors={"limits": "Floors too high"}
        )
    if all(c is not None for c in caps.values()) and sum(c or 0 for c in caps.values()) < pot:
        raise ValidationFailed(
            "The members' caps add up to less than the budget", field_errors={"limits": "Caps too low"}
        )
    exact = _within_limits(Fraction(pot), mixed, floors, caps)
    pennies = _largest_remainder(pot, exact, caps)
    out = []
    for m in members:
        limited = ""
        if m.floor is not None and pennies[m.key] == floors[m.key] and mixed[m.key] * pot < floors[m.key]:
            limited = "floor"
        if (
            caps[m.key] is not None
            and pennies[m.key] == caps[m.key]
            and mixed[m.key] * pot > (caps[m.key] or 0)
        ):
            limited = "cap"
        out.append(
            Share(
                key=m.key,
                charge=(Decimal(pennies[m.key]) / 100).quantize(Decimal("0.01")),
                mixed_percent=(
                    Decimal(mixed[m.key].numerator) / Decimal(mixed[m.key].denominator) * 100
                ).quantize(Decimal("0.001")),
                limited=limited,
                figures={k: str(v) for k, v in m.figures.items()},
            )
        )
    return out


def _within_limits(
    pot: Fraction, mixed: dict[str, Fraction], floors: dict[str, int], caps: dict[str, int | None]
) -> dict[str, Fraction]:
    """Exact shares that respect every floor and cap: fix the members outside their limits at
    the limit, share what is left among the rest by their mixed shares, and repeat."""
    fixed: dict[str, Fraction] = {}
    while True:
        free = [k for k in mixed if k not in fixed]
        left = pot - sum(fixed.values(), Fraction(0))
        weight = sum((mixed[k] for k in free), Fraction(0))
        if weight == 0:
            # Nobody free has any share of the mix: what is left goes equally among them.
            shares = {k: left / len(free) for k in free} if free else {}
        else:
            shares = {k: left * mixed[k] / weight for k in free}
        under = [k for k in free if shares[k] < floors[k]]
        over = [k for k in free if caps[k] is not None and shares[k] > (caps[k] or 0)]
        if not under and not over:
            return {**fixed, **shares}
        # Fix one side at a time (the side with the larger total breach), which converges: each
        # round fixes at least one member, and fixing under-floor members only lowers the rest.
        breach_under = sum((floors[k] - shares[k] for k in under), Fraction(0))
        breach_over = sum((shares[k] - (caps[k] or 0) for k in over), Fraction(0))
        if breach_under >= breach_over:
            for k in under:
                fixed[k] = Fraction(floors[k])
        else:
            for k in over:
                fixed[k] = Fraction(caps[k] or 0)
        if len(fixed) == len(mixed):
            return _level(pot, fixed, floors, caps)


def _level(
    pot: Fraction, fixed: dict[str, Fraction], floors: dict[str, int], caps: dict[str, int | None]
) -> dict[str, Fraction]:
    """Everyone is held at a limit but the limits do not add up to the pot: move members off
    their limits evenly (raising towards caps or lowering towards floors) until they do. The
    checks before this make it possible: floors add up to no more than the pot, caps to no less."""
    shares = dict(fixed)
    while (diff := pot - sum(shares.values(), Fraction(0))) != 0:
        room = {
            k: ((Fraction(cap) - v) if (cap := caps[k]) is not None else diff) if diff > 0 else v - floors[k]
            for k, v in shares.items()
        }
        movable = [k for k, r in room.items() if r > 0]
        step = abs(diff) / len(movable)
        for k in movable:
            move = min(step, room[k])
            shares[k] += move if diff > 0 else -move
    return shares


def _largest_remainder(pot: int, exact: dict[str, Fraction], caps: dict[str, int | None]) -> dict[str, int]:
    down = {k: v.numerator // v.denominator for k, v in exact.items()}
    left = pot - sum(down.values())
    order = sorted(exact, key=lambda k: (-(exact[k] - down[k]), k))
    for k in order:
        if left <= 0:
            break
        if exact[k] == down[k]:
            continue
        if caps[k] is not None and down[k] + 1 > (caps[k] or 0):
            continue
        down[k] += 1
        left -= 1
    return down
