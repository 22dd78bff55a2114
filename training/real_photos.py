"""The labelled real photos: their labels (committed), and fetching the photos from their packages (not committed).

Every model change that touches the look is measured on these, beside the synthetic test split:
a shopper only ever uploads real photos. See training/data/real_photos.json for the labels.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path

from .packages import Package

LABELS = Path(__file__).resolve().parent / "data" / "real_photos.json"
SPLITS = ("dev", "test")
PATTERNS = ("plain", "striped", "checked", "printed")


@dataclass(frozen=True)
class LabelledGarment:
    category: str
    box: tuple[float, float, float, float]
    colours: tuple[str, ...]  # catalog colour names that count as this garment's colour
    types: tuple[str, ...] = ()  # catalog article types that name it fairly (a suit's jacket: "jacket")
    pattern: str = ""  # "plain", "striped", "checked" or "printed" ("" where it was not labelled)


@dataclass(frozen=True)
class LabelledPhoto:
    name: str  # the file name, e.g. "messi5.jpg"
    package: Package
    member: str
    sha256: str
    person: tuple[float, float, float, float] | None  # the main person's box; None in a photo of nobody
    gender: str
    garments: tuple[LabelledGarment, ...]
    not_visible: tuple[str, ...]  # categories the main person shows none of
    others: tuple[tuple[tuple[float, float, float, float], str], ...]  # (box, gender) of everybody else
    split: str = "dev"  # "dev" (thresholds and features are chosen on it) or "test" (only read, once per change)

    def path(self, folder: Path) -> Path:
        return folder / self.name

    def scaled(self, factor: float) -> LabelledPhoto:
        """The same labels for the photo resized by `factor` (as the upload path shrinks large photos)."""

        def s(box: tuple[float, ...]) -> tuple[float, float, float, float]:
            x1, y1, x2, y2 = (v * factor for v in box)
            return x1, y1, x2, y2

        return replace(
            self,
            person=s(self.person) if self.person else None,
            garments=tuple(replace(g, box=s(g.box)) for g in self.garments),
            others=tuple((s(b), g) for b, g in self.others),
        )


def labelled_photos(labels: Path = LABELS) -> list[LabelledPhoto]:
    """Every labelled photo; a photo's split is in its entry, fixed before anything was tuned on the photos."""
    photos = []
    for name, entry in json.loads(labels.read_text())["photos"].items():
        source, main = entry["source"], entry["main"] or {}  # "main": null in a photo of nobody
        if entry.get("split") not in SPLITS:
            raise ValueError(f"{name}: split must be one of {SPLITS}, not {entry.get('split')!r}")
        photos.append(
            LabelledPhoto(
                name=name,
                package=Package(source["registry"], source["package"], source["version"], source["licence"]),
                member=source["member"],
                sha256=source["sha256"],
                person=tuple(main["box"]) if main else None,
                gender=main.get("gender", ""),
                garments=tuple(
                    LabelledGarment(
                        c, tuple(g["box"]), tuple(g["colour"]), tuple(g.get("types", ())), g.get("pattern", "")
                    )
                    for c, g in main.get("garments", {}).items()
                ),
                not_visible=tuple(main.get("not_visible", ())),
                others=tuple((tuple(o["box"]), o["gender"]) for o in entry["others"]),
                split=entry["split"],
            )
        )
    return photos


def fetch_photos(folder: Path, cache: Path, photos: list[LabelledPhoto] | None = None) -> list[Path]:
    """Every labelled photo in `folder`, taken from its package and checked against its sha256."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for photo in photos if photos is not None else labelled_photos():
        target = photo.path(folder)
        if not (target.is_file() and _sha256(target.read_bytes()) == photo.sha256):
            data = photo.package.read(cache, photo.member)
            if _sha256(data) != photo.sha256:
                raise RuntimeError(f"{photo.package.spec}:{photo.member} is not the photo that was labelled")
            target.write_bytes(data)
        paths.append(target)
    return paths


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
