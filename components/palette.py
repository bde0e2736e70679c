"""Colour arithmetic for the palette (WCAG 2.1 relative luminance and contrast, CIELAB lightness),
the prior-year bars' hatch, and the projector theme's recolouring of a chart.

Every mark holds 3:1 against its background (WCAG 1.4.11): the standard colours against the
chart's white, their projector counterparts (vocab.COLOURS_ON_DARK) against black. A prior-year
bar is outlined and hatched in its category's colour with the background showing between the
lines, so its outline and hatch hold that contrast (a pale fill under the hatch, as before, left
the hatch at 1.5–2.6:1 against its own fill and the fill at 1.4–2.0:1 against the page).
"""

from __future__ import annotations

from collections.abc import Mapping

from components import vocab

WHITE = "#FFFFFF"
BLACK = "#000000"
PRIOR_HATCH = dict(shape="/", size=10, solidity=0.4, fillmode="replace")  # lines thick enough to read
# A mark left out by a cross-filter: outlined and dotted in its own colour on the paper, so it keeps
# its colour's 3:1 (greyed to #D1D5DB it was 1.5:1, at 30% opacity 1.3–1.8:1) and reads as "not chosen".
UNSELECTED_DOTS = dict(shape=".", size=8, solidity=0.5, fillmode="replace")


def selection_marker(colours: list[str], chosen: list[bool]) -> dict:
    """Bars in their colours: the chosen solid, the others outlined and dotted (UNSELECTED_DOTS)."""
    pattern = {**UNSELECTED_DOTS, "shape": ["" if c else UNSELECTED_DOTS["shape"] for c in chosen], "fgcolor": colours}
    return dict(color=colours, line=dict(color=colours, width=2), pattern=pattern)


def rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance of an sRGB colour (#RRGGBB)."""
    r, g, b = (_linear(c) for c in rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio, 1 to 21."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def lightness(colour: str) -> float:
    """CIELAB L* (0 black … 100 white): how light the colour prints in greyscale."""
    y = luminance(colour)
    return 116 * y ** (1 / 3) - 16 if y > 216 / 24389 else y * 24389 / 27


def mix(colour: str, other: str, amount: float) -> str:
    """`colour` mixed `amount` (0…1) of the way to `other`."""
    out = [round(a + (b - a) * amount) for a, b in zip(rgb(colour), rgb(other), strict=True)]
    return "#" + "".join(f"{c:02X}" for c in out)


def on_dark_map() -> dict[str, str]:
    """Each standard chart colour → its projector-theme counterpart."""
    pairs = dict(zip(vocab.OKABE_ITO, vocab.ON_DARK_PALETTE, strict=True))
    pairs.update({vocab.COLOURS[name]: dark for name, dark in vocab.COLOURS_ON_DARK.items()})
    pairs[vocab.NEUTRAL] = vocab.NEUTRAL_ON_DARK
    return pairs


ON_DARK = on_dark_map()


def _swap(value, mapping: dict[str, str]):
    if isinstance(value, str):
        return mapping.get(value.upper(), value)
    if isinstance(value, (list, tuple)):
        return [_swap(v, mapping) for v in value]
    return value


def recolour(fig: Mapping, mapping: dict[str, str] = ON_DARK) -> Mapping:
    """The chart's marks in the projector theme's colours (fills, outlines, hatches, slices), in place."""
    for trace in fig["data"]:
        marker = trace.get("marker") or {}
        for name in ("color", "colors"):
            if marker.get(name) is not None:
                marker[name] = _swap(marker[name], mapping)
        for part, name in (("line", "color"), ("pattern", "fgcolor")):
            if (marker.get(part) or {}).get(name) is not None:
                marker[part][name] = _swap(marker[part][name], mapping)
    return fig
