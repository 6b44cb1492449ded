"""Generate the app icon set under resources/icons/app/ from one SVG drawn here.

    .venv/bin/python packaging/make_icons.py

Outputs (committed, so builds need no image tools): orderchamp-desktop.svg (the master),
orderchamp-desktop-<N>.png for the freedesktop hicolor sizes, orderchamp-desktop.ico
(Windows: exe, installer, Start menu) and orderchamp-desktop.icns (macOS bundle).

PNG rendering uses Qt (QSvgRenderer, offscreen). The .ico and .icns containers are written by
the two small functions below rather than by Pillow: both formats are a header plus a table
of PNG images, and Qt's own ico/icns plugins write one image per file only.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

OUT = Path(__file__).resolve().parents[1] / "resources" / "icons" / "app"
NAME = "orderchamp-desktop"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)

# A parcel seen from above on a deep-teal tile: shipping wholesale orders is what the app is
# for. Drawn on a 1024 grid with a 64 px margin so it sits well next to other tiles.
SVG = """<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="1024" height="1024" viewBox="0 0 1024 1024">
  <title>Orderchamp Desktop</title>
  <defs>
    <linearGradient id="tile" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="#13807A"/>
      <stop offset="1" stop-color="#0A4D49"/>
    </linearGradient>
  </defs>
  <rect x="64" y="64" width="896" height="896" rx="200" fill="url(#tile)"/>
  <ellipse cx="512" cy="836" rx="300" ry="44" fill="#000000" fill-opacity="0.22"/>
  <polygon points="512,230 792,380 512,530 232,380" fill="#FFF4DE"/>
  <polygon points="232,380 512,530 512,840 232,690" fill="#F1D6A6"/>
  <polygon points="512,530 792,380 792,690 512,840" fill="#E0BD84"/>
  <polygon points="340,338 404,304 684,454 620,488" fill="#FF8A3D"/>
  <polygon points="620,488 684,454 684,756 620,790" fill="#E2702A"/>
  <polyline points="232,380 512,530 792,380" fill="none" stroke="#FFFFFF" stroke-opacity="0.55"
            stroke-width="10" stroke-linejoin="round"/>
  <line x1="512" y1="530" x2="512" y2="840" stroke="#C9A56C" stroke-width="8"/>
</svg>
"""


def render_png(renderer: QSvgRenderer, size: int) -> bytes:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):  # type: ignore[call-overload]  # the stub wants bytes; Qt wants str
        raise RuntimeError(f"could not encode the {size}px PNG")
    buffer.close()
    return bytes(data.data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """A Windows .ico holding PNG images (accepted since Windows Vista, and by Inno Setup
    and PyInstaller).

    Layout: ICONDIR (reserved=0, type=1, count) as three little-endian uint16, then one
    16-byte ICONDIRENTRY per image (width, height: one byte each where 0 means 256; colour
    count 0; reserved 0; planes 1; bits per pixel 32; byte size; offset from file start),
    then the images themselves.
    """
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, blobs = [], []
    for size in sizes:
        blob = pngs[size]
        edge = 0 if size >= 256 else size
        entries.append(struct.pack("<BBBBHHII", edge, edge, 0, 0, 1, 32, len(blob), offset))
        blobs.append(blob)
        offset += len(blob)
    return header + b"".join(entries) + b"".join(blobs)


#: icns element types that hold a PNG, by pixel size (the @2x types repeat a pixel size).
ICNS_TYPES = (
    (b"icp4", 16), (b"icp5", 32), (b"icp6", 64), (b"ic07", 128), (b"ic08", 256),
    (b"ic09", 512), (b"ic10", 1024), (b"ic11", 32), (b"ic12", 64), (b"ic13", 256),
    (b"ic14", 512),
)


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    """A macOS .icns: b"icns" + big-endian uint32 total length, then elements of
    4-byte type + big-endian uint32 length (including these 8 bytes) + PNG data.
    ic11..ic14 are the Retina (@2x) variants of 16..256 pt and reuse the same pixels."""
    body = b"".join(kind + struct.pack(">I", 8 + len(pngs[size])) + pngs[size]
                    for kind, size in ICNS_TYPES if size in pngs)
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(QByteArray(SVG.encode("utf-8")))
    if not renderer.isValid():
        raise SystemExit("the icon SVG does not parse")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"{NAME}.svg").write_text(SVG, encoding="utf-8")
    pngs = {size: render_png(renderer, size) for size in (*PNG_SIZES, 1024)}
    for size in PNG_SIZES:
        (OUT / f"{NAME}-{size}.png").write_bytes(pngs[size])
    (OUT / f"{NAME}.ico").write_bytes(ico_bytes({s: pngs[s] for s in ICO_SIZES}))
    (OUT / f"{NAME}.icns").write_bytes(icns_bytes(pngs))
    del app
    print(f"wrote {len(PNG_SIZES) + 3} files to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
