"""Draw the addons' icons (static/description/icon.png, 128 x 128): simple shapes, no third-party art.

Needs Pillow (in the venv, it comes with Odoo): ``.venv/bin/python -m tools.qms.make_icons``.
Not imported by ./qms. One family look (navy tile), one symbol per addon: a controlled document
(docs), the corrective-action cycle around a warning (capa), a checklist under a magnifier (audit).
"""

import math
import sys
from pathlib import Path

from PIL import Image, ImageDraw

from .common import ADDONS

S = 4  # drawn 4x larger, then reduced: smooth edges
SIZE = 128 * S
NAVY, WHITE, GREEN, ORANGE, GREY = (27, 58, 96), (255, 255, 255), (46, 160, 90), (235, 137, 33), (120, 136, 160)


def tile():
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, SIZE - 1, SIZE - 1), radius=22 * S, fill=NAVY)
    return image, draw


def page(draw, box, lines=4):
    x0, y0, x1, y1 = box
    draw.rounded_rectangle(box, radius=5 * S, fill=WHITE)
    for i in range(lines):
        y = y0 + (18 + i * 14) * S
        draw.rounded_rectangle((x0 + 12 * S, y, x1 - (12 + (14 if i == lines - 1 else 0)) * S, y + 5 * S),
                               radius=2 * S, fill=GREY)


def check(draw, centre, radius, colour=GREEN):
    cx, cy = centre
    draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=colour, outline=WHITE, width=4 * S)
    r = radius / 20
    draw.line([(cx - 9 * r, cy), (cx - 3 * r, cy + 7 * r), (cx + 10 * r, cy - 8 * r)], fill=WHITE,
              width=int(5 * r), joint="curve")


def icon_docs():
    image, draw = tile()
    page(draw, (30 * S, 20 * S, 90 * S, 106 * S), lines=5)
    check(draw, (88 * S, 92 * S), 20 * S)
    return image


def icon_capa():
    image, draw = tile()
    centre, radius, width = (64 * S, 64 * S), 38 * S, 9 * S
    box = (centre[0] - radius, centre[1] - radius, centre[0] + radius, centre[1] + radius)
    draw.arc(box, start=-60, end=230, fill=WHITE, width=width)
    angle = math.radians(-60)  # arrow head at the arc's start, pointing along the cycle
    tip = (centre[0] + radius * math.cos(angle), centre[1] + radius * math.sin(angle))
    draw.polygon([(tip[0] + 14 * S, tip[1] - 2 * S), (tip[0] - 12 * S, tip[1] - 14 * S),
                  (tip[0] - 4 * S, tip[1] + 16 * S)], fill=WHITE)
    draw.polygon([(64 * S, 40 * S), (86 * S, 80 * S), (42 * S, 80 * S)], fill=ORANGE)
    draw.rounded_rectangle((61 * S, 52 * S, 67 * S, 68 * S), radius=2 * S, fill=WHITE)
    draw.ellipse((61 * S, 71 * S, 67 * S, 77 * S), fill=WHITE)
    return image


def icon_audit():
    image, draw = tile()
    draw.rounded_rectangle((22 * S, 22 * S, 82 * S, 104 * S), radius=5 * S, fill=WHITE)
    draw.rounded_rectangle((40 * S, 16 * S, 64 * S, 28 * S), radius=3 * S, fill=GREY)
    for i in range(3):
        y = (42 + i * 20) * S
        draw.line([(29 * S, y), (33 * S, y + 5 * S), (40 * S, y - 4 * S)], fill=GREEN, width=3 * S)
        draw.rounded_rectangle((46 * S, y - 2 * S, 74 * S, y + 3 * S), radius=2 * S, fill=GREY)
    cx, cy, r = 84 * S, 80 * S, 18 * S
    draw.line([(cx + 12 * S, cy + 12 * S), (cx + 30 * S, cy + 30 * S)], fill=ORANGE, width=9 * S)
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=ORANGE, width=7 * S, fill=(255, 255, 255, 90))
    return image


ICONS = {"gov_qms_docs": icon_docs, "gov_qms_capa": icon_capa, "gov_qms_audit": icon_audit}


def main(target=ADDONS):
    for module, draw in ICONS.items():
        path = Path(target) / module / "static" / "description" / "icon.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        draw().resize((128, 128), Image.Resampling.LANCZOS).save(path, optimize=True)
        print(path)


if __name__ == "__main__":
    main(*sys.argv[1:])
