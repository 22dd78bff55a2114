"""Helpers shared by tests: a deliberately faulty demo store, and listing stored files."""

from __future__ import annotations

import time
from pathlib import Path

from synthetic.site import DemoStore, Faults

FAULT_KINDS = ("broken_pages", "not_image", "oversized", "bomb", "offsite", "nameless_cards")


def faulty_store_for(products, slug: str = "mens-topwear") -> tuple[DemoStore, dict[str, str]]:
    """A store whose first products in `slug` each break in a different way; returns the mapping."""
    ids = [p.product_id for p in products if p.slug == slug]
    chosen = dict(zip(FAULT_KINDS, ids[1 : 1 + len(FAULT_KINDS)], strict=True))
    faults = Faults(**{kind: {pid} for kind, pid in chosen.items()})
    return DemoStore(products, faults), chosen


def media_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def wait_until(check, timeout: float, what: str, step: float = 0.3):
    """Poll `check` until it returns something true, and return that; fail saying `what` did not happen."""
    deadline = time.monotonic() + timeout
    while not (value := check()):
        assert time.monotonic() < deadline, f"{what} within {timeout:.0f} s"
        time.sleep(step)
    return value
