"""Where the browser tests put their screenshots (kept out of git): SCREENSHOT_DIR, or build/screenshots."""

from __future__ import annotations

import os
from pathlib import Path

SCREENSHOTS = Path(
    os.environ.get("SCREENSHOT_DIR") or Path(__file__).resolve().parents[2] / "build" / "screenshots"
)

DESKTOP = (1280, 900)
PHONE = (390, 844)


def viewport_id(size: tuple[int, int]) -> str:
    return "desktop" if size[0] > 500 else f"{size[0]}px"


NO_HORIZONTAL_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def inside_viewport(selector: str) -> str:
    """JS: every element matching `selector` that is shown lies within the viewport's width."""
    return (
        f"[...document.querySelectorAll({selector!r})].filter(e => e.offsetParent !== null)"
        ".every(e => { const r = e.getBoundingClientRect();"
        " return r.left >= 0 && r.right <= window.innerWidth; })"
    )
