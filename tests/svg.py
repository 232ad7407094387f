"""What a person sees in a Graphviz SVG: text boxes, the drawing's extent, and their sizes
on a target screen (1920×1080 for a slide). Widths of text come from the real font
(DejaVu Sans, what Graphviz and Chromium use here), measured with Pillow."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import lru_cache

SVG = "{http://www.w3.org/2000/svg}"
_NUM = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?")


@lru_cache(maxsize=4)
def _font(bold: bool):
    from PIL import ImageFont

    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(f"/usr/share/fonts/truetype/dejavu/{name}", 1000)


def text_advance(text: str, size: float, bold: bool = False) -> float:
    return _font(bold).getlength(text) / 1000 * size


@dataclass(frozen=True)
class Text:
    text: str
    size: float  # font size, in SVG user units
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 (user units, y down)
    sub: bool  # a subscript
    fill: str


@dataclass(frozen=True)
class Measure:
    width: float  # the canvas (viewBox) in user units
    height: float
    ink: tuple[float, float, float, float]  # the drawing's extent
    texts: list[Text]
    scale: float  # user units per layout point

    def px(self, target_height: float) -> float:
        """Target pixels per user unit when the canvas fills ``target_height``."""
        return target_height / self.height

    def fill(self, target: tuple[int, int] = (1920, 1080)) -> float:
        """The fraction of the target the drawing covers, the canvas fitted into it."""
        k = min(target[0] / self.width, target[1] / self.height)
        x0, y0, x1, y1 = self.ink
        return (x1 - x0) * (y1 - y0) * k * k / (target[0] * target[1])

    def smallest(self, target: tuple[int, int] = (1920, 1080), sub: bool = False) -> float:
        """The smallest text (subscripts, with ``sub``) in target pixels."""
        k = min(target[0] / self.width, target[1] / self.height)
        sizes = [t.size for t in self.texts if t.sub == sub and t.text.strip()]
        return min(sizes) * k if sizes else float("inf")

    def overlaps(self, tolerance: float = 0.5) -> list[tuple[str, str]]:
        """Pairs of texts whose boxes overlap (by more than ``tolerance`` units)."""
        out = []
        ts = [t for t in self.texts if t.text.strip()]
        for i, a in enumerate(ts):
            for b in ts[i + 1:]:
                w = min(a.box[2], b.box[2]) - max(a.box[0], b.box[0])
                h = min(a.box[3], b.box[3]) - max(a.box[1], b.box[1])
                if w > tolerance and h > tolerance:
                    out.append((a.text, b.text))
        return out


def _transform(g) -> tuple[float, float, float]:
    t = g.get("transform", "")
    sc = re.search(r"scale\(([\d.]+)(?: ([\d.]+))?\)", t)
    tr = re.search(r"translate\((-?[\d.]+) (-?[\d.]+)\)", t)
    s = float(sc.group(1)) if sc else 1.0
    return s, float(tr.group(1)) if tr else 0.0, float(tr.group(2)) if tr else 0.0


def measure(svg: bytes | str) -> Measure:
    root = ET.fromstring(svg if isinstance(svg, bytes) else svg.encode("utf-8"))
    vb = [float(v) for v in root.get("viewBox").split()]
    graph = root.find(f"{SVG}g")
    s, tx, ty = _transform(graph)

    def pt(x: float, y: float) -> tuple[float, float]:
        return s * (x + tx), s * (y + ty)

    xs: list[float] = []
    ys: list[float] = []
    background = graph.find(f"{SVG}polygon")
    texts = []
    for el in graph.iter():
        tag = el.tag.replace(SVG, "")
        if el is background:
            continue
        if tag == "text":
            size = float(el.get("font-size", "14"))
            content = "".join(el.itertext())
            bold = el.get("font-weight") == "bold"
            w = text_advance(content, size, bold)
            x, y = float(el.get("x")), float(el.get("y"))
            anchor = el.get("text-anchor", "start")
            x0 = x - w / 2 if anchor == "middle" else x - w if anchor == "end" else x
            lead = text_advance(content[:len(content) - len(content.lstrip())], size, bold)
            x0, w = x0 + lead, w - lead - text_advance(
                content[len(content.rstrip()):], size, bold)  # ink: no outer spaces
            (a, b), (c, d) = pt(x0, y - 0.76 * size), pt(x0 + w, y + 0.24 * size)
            texts.append(Text(content, size * s, (a, b, c, d), el.get("baseline-shift") == "sub",
                              el.get("fill", "black")))
            if content.strip():
                xs += [a, c]
                ys += [b, d]
        elif tag == "ellipse":
            cx, cy, rx, ry = (float(el.get(k)) for k in ("cx", "cy", "rx", "ry"))
            for px_, py_ in ((cx - rx, cy - ry), (cx + rx, cy + ry)):
                x, y = pt(px_, py_)
                xs.append(x)
                ys.append(y)
        elif tag in ("polygon", "polyline", "path") and el.get("stroke") != "transparent":
            nums = [float(v) for v in _NUM.findall(el.get("points") or el.get("d") or "")]
            for px_, py_ in zip(nums[0::2], nums[1::2]):
                x, y = pt(px_, py_)
                xs.append(x)
                ys.append(y)
    ink = (min(xs) - vb[0], min(ys) - vb[1], max(xs) - vb[0], max(ys) - vb[1])
    return Measure(vb[2], vb[3], ink, texts, s)


def edge_points(svg: bytes | str, title: str) -> list[tuple[float, float]]:
    """The points of the edge whose Graphviz title starts with ``title`` (``"n1->w1"``),
    in canvas units as :func:`measure` gives them."""
    root = ET.fromstring(svg if isinstance(svg, bytes) else svg.encode("utf-8"))
    vb = [float(v) for v in root.get("viewBox").split()]
    graph = root.find(f"{SVG}g")
    s, tx, ty = _transform(graph)
    for g in graph.iter(f"{SVG}g"):
        t = g.find(f"{SVG}title")
        if g.get("class") == "edge" and t is not None and t.text.startswith(title):
            nums = [float(v) for v in _NUM.findall(g.find(f"{SVG}path").get("d"))]
            return [(s * (x + tx) - vb[0], s * (y + ty) - vb[1])
                    for x, y in zip(nums[0::2], nums[1::2])]
    raise KeyError(title)
