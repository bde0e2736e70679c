"""Figures as the document prints them: exact decimals, the printed unit and precision, and
where each one comes from (printed, computed from which lines, or not stated).

Binary floating point cannot hold 1.775 or 5.295, so formatting a float rounds them down
(1.77, 5.29) where the document's own 四舍五入 gives 1.78 and 5.30. Here a figure keeps the
text it was printed as; converting a unit is exact decimal arithmetic; only the renderer
rounds, half up.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

MISSING = "未公布"
COMPUTED = "按分项计算"  # a sum of stated parts
DERIVED = "计算值"  # a difference or ratio of stated figures (增减额 = 预算数 − 上年执行数 …)
# Each money unit in 万元, exactly.
FACTORS = {"元": Decimal("0.0001"), "千元": Decimal("0.1"), "万元": Decimal(1), "百万元": Decimal(100), "亿元": Decimal(10000)}


def round_half_up(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def exact(value) -> Decimal | None:
    """A Decimal from printed text, a Decimal, or a float by its shortest repr (1.775, not 1.77499…)."""
    if value is None or value == "":
        return None
    if isinstance(value, float):  # numpy's float64 too, whose repr is np.float64(…)
        if value != value:  # NaN: not stated
            return None
        value = repr(float(value))
    try:
        return Decimal(str(value).replace(",", "").replace("%", "").strip())
    except InvalidOperation:
        return None


def decimals_of(text: str) -> int:
    text = str(text).replace("%", "").strip()
    return len(text) - text.index(".") - 1 if "." in text else 0


@dataclass(frozen=True)
class Figure:
    """One figure in the unit it is shown in; `decimals` is its printed (or derived) precision."""

    value: Decimal | None
    unit: str
    decimals: int = 0
    source: str = "printed"  # printed | computed | missing
    lines: tuple[int, ...] = ()  # the file lines it was printed on or computed from
    how: str = field(default="", compare=False)  # how a computed figure was computed; "" : COMPUTED

    @classmethod
    def printed(cls, text, unit: str, line: int | None = None) -> Figure:
        value = exact(text)
        if value is None:
            return cls.missing(unit)
        return cls(value, unit, decimals_of(text if isinstance(text, str) else repr(text)), "printed", _lines(line))

    @classmethod
    def missing(cls, unit: str) -> Figure:
        return cls(None, unit, 0, "missing")

    @property
    def stated(self) -> bool:
        return self.value is not None

    def to(self, unit: str) -> Figure:
        """The same figure in another money unit, exactly; the precision follows the shift."""
        if unit == self.unit or self.unit not in FACTORS or unit not in FACTORS:
            return self
        ratio = FACTORS[self.unit] / FACTORS[unit]
        value = None if self.value is None else self.value * ratio
        # 亿元 → 万元 multiplies by 10⁴: four decimals fewer (4.50 → 45000, precision -2 kept so that
        # the way back gives 4.50 again); the other way, four more (1722 万元 → 0.1722 亿元).
        return Figure(value, unit, self.decimals - ratio.adjusted(), self.source, self.lines, self.how)

    def text(self, with_unit: bool = True, thousands: bool = False, signed: bool = False) -> str:
        """As a budget document writes it: 1722万元, 60.71亿元, -59.15%, or 未公布."""
        if self.value is None:
            return MISSING
        shown = round_half_up(self.value, max(self.decimals, 0))
        body = f"{shown:,}" if thousands else f"{shown:f}"
        if shown == 0:
            body = body.lstrip("-")
        if signed and shown > 0:
            body = "+" + body
        return body + (self.unit if with_unit else "")

    def within(self, other: Figure) -> bool:
        """Whether two figures can be the same number, given how each was rounded (half a unit of each)."""
        if self.value is None or other.value is None:
            return False
        other = other.to(self.unit)
        margin = _half(self) + _half(other)
        return abs(self.value - other.value) <= margin


def how_computed(named: Iterable[tuple[str, Figure]]) -> str:
    """「上年执行数、增减率为计算值；合计按分项计算」 for the computed ones of (label, figure) pairs."""
    groups: dict[str, list[str]] = {}
    for label, figure in named:
        if figure.source == "computed":
            groups.setdefault(figure.how or COMPUTED, []).append(label)
    return "；".join("、".join(labels) + ("为" + how if how == DERIVED else how) for how, labels in groups.items())


def say(figure: Figure, how: str = COMPUTED) -> str:
    """A figure in a sentence (1722万元), marked where it is computed (as the figure says, else `how`)."""
    return figure.text() + (f"（{figure.how or how}）" if figure.source == "computed" else "")


def card_text(figure: Figure, signed: bool = False, how: str = "") -> str:
    """A figure on a card (1,722 万元, 60.71 亿元, 3.21%) as printed; 未公布 when it is not stated;
    with `how`, a computed figure says so."""
    if not figure.stated:
        return MISSING
    body = figure.text(with_unit=False, thousands=True, signed=signed)
    unit = figure.unit if figure.unit in ("%", "") else f" {figure.unit}"
    return body + unit + (f"（{figure.how or how}）" if how and figure.source == "computed" else "")


def wan(figure: Figure) -> float | None:
    """A money figure as the charts take it (万元, a float: drawing needs no exact decimals)."""
    return float(figure.to("万元").value) if figure.stated else None


def total(parts: Iterable[Figure], unit: str) -> Figure:
    """The sum of stated parts, marked computed; 未公布 when any part is not stated."""
    parts = [p.to(unit) for p in parts]
    if not parts or any(p.value is None for p in parts):
        return Figure.missing(unit)
    if len(parts) == 1:
        return parts[0]  # the one part is the total as printed, not a computation
    lines = tuple(line for p in parts for line in p.lines)
    return Figure(sum((p.value for p in parts), Decimal(0)), unit, max(p.decimals for p in parts), "computed", lines)


def stated_or_computed(stated: Figure, parts: Iterable[Figure], unit: str) -> Figure:
    """A printed total as printed (45.39 stays 45.39); else the sum of its parts, marked computed."""
    return stated.to(unit) if stated.stated else total(parts, unit)


def _half(figure: Figure) -> Decimal:
    """Half a unit of the last printed digit; nothing for a bare 0 (it shows no precision of its own)."""
    if figure.source == "printed" and figure.value == 0 and figure.decimals <= 0:
        return Decimal(0)
    return Decimal(5).scaleb(-figure.decimals - 1)


def _lines(line: int | None) -> tuple[int, ...]:
    return () if line is None else (int(line),)
