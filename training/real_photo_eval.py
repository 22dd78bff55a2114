"""Score what the worker sees on the labelled real photos: gender, garments found and invented, boxes, colours.

The scene is read by `detection.scene.read_scene`, the worker's own code; recommendations come
from the worker's pipeline against the catalog in the database. A garment counts as found when
the person matched to the labelled main person has a box of its category; IoU is reported apart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import zip_longest
from pathlib import Path

import numpy as np
from PIL import Image

from detection.boxes import iou_matrix
from detection.scene import Scene, SeenPerson

from .real_photo_report import draw, summary
from .real_photos import LabelledPhoto

MATCH_IOU = 0.3  # a person seen is the labelled one when their boxes overlap this much
COLOUR_K = 8


@dataclass(frozen=True)
class Agreement:
    """How many of a garment's top products share one of its labelled values (a colour, a type, a pattern),
    how many could have (as many as the searched partitions hold, up to the number shown), and the share of
    the partitions that does (what a random pick would get)."""

    hits: int
    possible: int
    shown: int
    random: float
    best: int = 0  # the hits of a page that knew every label (best_possible): what no reader could beat


@dataclass
class PhotoResult:
    name: str
    person_found: bool
    main_agrees: bool  # the person the worker shops first is the labelled main person
    gender_label: str
    gender_seen: str  # "men", "women" or "" (not sure)
    gender_source: str
    shot: str
    facing: str
    found: dict[str, float] = field(default_factory=dict)  # visible category -> IoU of the box found (0 if none)
    invented: list[str] = field(default_factory=list)  # categories reported though not visible
    colour_hits: dict[str, float] = field(default_factory=dict)  # category -> share of top 8 in a labelled colour
    names: dict[str, str] = field(default_factory=dict)  # category -> the article type the page names it by
    named_right: dict[str, bool] = field(default_factory=dict)  # category -> the page's name is a labelled type
    # category the photo lacks -> (share of its suggestions that keep the rules, share of the partition that does)
    completions: dict[str, tuple[float, float]] = field(default_factory=dict)
    exact_labels: int = 0
    people_seen: int = 0
    split: str = "dev"
    nobody: bool = False  # a photo with nobody in it
    garments_seen: int = 0  # on every person seen (what a photo of nobody must not have)
    agreement: dict[str, dict[str, Agreement]] = field(default_factory=dict)  # "colour"/"type"/"pattern" -> cat ->

    @property
    def gender_score(self) -> float:
        """1 when right, 0.5 when not sure, 0 when wrong."""
        if not self.gender_seen:
            return 0.5
        return float(self.gender_seen == self.gender_label)


def matched_person(scene: Scene, photo: LabelledPhoto) -> tuple[int, SeenPerson] | None:
    """The person of the scene whose box best overlaps the labelled main person's, if any does enough."""
    if not scene.people or photo.person is None:
        return None
    boxes = np.array([p.box.as_tuple() for p in scene.people])
    overlap = iou_matrix(np.array([photo.person]), boxes)[0]
    best = int(overlap.argmax())
    return (best, scene.people[best]) if overlap[best] >= MATCH_IOU else None


def score_photo(photo: LabelledPhoto, scene: Scene, match: tuple[int, SeenPerson] | None) -> PhotoResult:
    """What was seen of the labelled main person, `match` being the person of the scene taken for them."""
    result = PhotoResult(photo.name, match is not None, False, photo.gender, "", "none", "", "")
    result.people_seen = len(scene.people)
    result.split, result.nobody = photo.split, photo.person is None
    result.garments_seen = sum(len(p.garments) for p in scene.people)
    if match is None:
        result.found = {g.category: 0.0 for g in photo.garments}
        return result
    index, person = match
    result.main_agrees = index == 0
    result.gender_seen, result.gender_source = person.gender.label, person.gender.source
    result.shot, result.facing = person.shot, person.facing
    reported = {b.label: b for b, _ in person.garments}
    for garment in photo.garments:
        box = reported.get(garment.category)
        result.found[garment.category] = (
            float(iou_matrix(np.array([box.as_tuple()]), np.array([garment.box]))[0, 0]) if box else 0.0
        )
    result.invented = [c for c in reported if c in photo.not_visible]
    return result


@dataclass(frozen=True)
class Listed:
    """What a product is, as the evaluation compares it with a labelled garment."""

    colour: str
    article_type: str
    pattern: str  # real_photos.PATTERNS, read from the demo store's title words


@dataclass(frozen=True)
class ShownItem:
    """What the look page shows for one garment: its name (an article type), its products' (colour, exact),
    what each of them is, and every product of the partitions searched (what could have been shown)."""

    article_type: str
    products: list[tuple[str, bool]]
    listed: list[Listed] = field(default_factory=list)
    pool: list[Listed] = field(default_factory=list)


@dataclass(frozen=True)
class Garb:
    """What the demo stylist's rules read of a garment (synthetic.stylist.broken_rules takes it like a product)."""

    article_type: str
    colour_name: str
    denim: bool = False

    @property
    def fabric(self):  # the rules ask for `fabric.pattern`; real photos' labels carry no pattern
        return _Fabric("denim" if self.denim else "solid")


@dataclass(frozen=True)
class _Fabric:
    pattern: str


@dataclass(frozen=True)
class Shown:
    """What the look page shows for a photo: per garment, and per category it lacks the suggestions."""

    items: dict[str, ShownItem]
    completions: dict[str, list[Garb]]  # "complete the look" rows, best first
    pools: dict[str, list[Garb]]  # every product those rows were chosen from (the random baseline)


COMPLETION_K = 8  # the products a row shows


def rules_kept(worn: list[Garb], candidates: list[Garb]) -> float:
    """The share of `candidates` that keep the demo stylist's rules with the `worn` garments (formality,
    season, one accent, neutrals of one temperature; patterns are not labelled, so not scored)."""
    from synthetic.stylist import broken_rules

    if not candidates:
        return 0.0
    return float(np.mean([not [r for r in broken_rules([*worn, c]) if r != "pattern"] for c in candidates]))


def add_completions(result: PhotoResult, photo: LabelledPhoto, shown: Shown) -> None:
    """How well the rows of the categories the photo lacks go with what the main person wears, by the rules
    the demo store's stylist dresses by (evaluation only: no model reads them), against a random row."""
    worn = [Garb(g.types[0], g.colours[0], g.types[0] == "jeans") for g in photo.garments if g.types and g.colours]
    for category, row in shown.completions.items():
        if worn and row:
            result.completions[category] = (
                rules_kept(worn, row[:COMPLETION_K]),
                rules_kept(worn, shown.pools.get(category, [])),
            )


def boxes_named_right(photos: list[LabelledPhoto], folder: Path, readers: dict[str, Callable]) -> dict:
    """Per reader of article types ((image, box, category) -> a guess with `article_type`), how many labelled
    garment boxes it names right: the readers measured apart from the detector's boxes, each photo read once."""
    right: dict[str, list[bool]] = {reader: [] for reader in readers}
    for photo in photos:
        with Image.open(photo.path(folder)) as opened:
            image = opened.convert("RGB")
        for garment in (g for g in photo.garments if g.types):
            for reader, name in readers.items():
                guess = name(image, garment.box, garment.category)
                right[reader].append(getattr(guess, "article_type", None) in garment.types)
    return {reader: {"boxes": len(r), "right": int(sum(r))} for reader, r in right.items()}


def add_recommendations(result: PhotoResult, photo: LabelledPhoto, shown: dict[str, ShownItem]):
    """Colour agreement@8, exact-match labels and the garment's name, from what the page shows per category."""
    colours = {g.category: {c.lower() for c in g.colours} for g in photo.garments}
    types = {g.category: set(g.types) for g in photo.garments if g.types}
    for category, item in shown.items():
        recs = item.products
        result.exact_labels += sum(exact for _, exact in recs)
        result.names[category] = item.article_type or ""
        if category in types:
            result.named_right[category] = item.article_type in types[category]
        if category in colours and recs:
            top = recs[:COLOUR_K]
            result.colour_hits[category] = sum(c.lower() in colours[category] for c, _ in top) / len(top)
    for garment in photo.garments:
        item = shown.get(garment.category)
        if item is None or not item.listed:
            continue
        wanted = {
            "colour": (lambda p, g=garment: p.colour.lower() in {c.lower() for c in g.colours})
            if garment.colours
            else None,
            "type": (lambda p, g=garment: p.article_type in g.types) if garment.types else None,
            "pattern": (lambda p, g=garment: p.pattern == g.pattern) if garment.pattern else None,
        }
        top = item.listed[:COLOUR_K]
        best = best_possible(wanted, item.pool, len(top))
        for what, agrees in wanted.items():
            if agrees is None:
                continue
            matching = sum(map(agrees, item.pool))
            result.agreement.setdefault(what, {})[garment.category] = Agreement(
                sum(map(agrees, top)), min(len(top), matching), len(top), matching / max(1, len(item.pool)), best[what]
            )


def best_possible(agrees: dict, pool: list[Listed], shown: int) -> dict[str, int]:
    """Per agreement, the hits of the `shown` products a page that read the garment perfectly would show.

    Colour and type are both targets, and a partition rarely holds 8 products that share both, so
    not even that page reaches every `possible` at once. It shows the products sharing both first,
    then takes turns between those sharing the colour only and those sharing the type only (the
    pattern first within each): the ceiling a ranking is measured against.
    """

    def test(what: str, p: Listed) -> bool:
        return agrees.get(what) is not None and agrees[what](p)

    by_pattern = sorted(pool, key=lambda p: not test("pattern", p))
    both = [p for p in by_pattern if test("colour", p) and test("type", p)]
    colour = [p for p in by_pattern if test("colour", p) and not test("type", p)]
    kind = [p for p in by_pattern if test("type", p) and not test("colour", p)]
    turns = [p for pair in zip_longest(colour, kind) for p in pair if p is not None]
    rest = [p for p in by_pattern if not test("colour", p) and not test("type", p)]
    top = (both + turns + rest)[:shown]
    return {what: sum(test(what, p) for p in top) for what, fn in agrees.items() if fn is not None}


def evaluate(
    photos: list[LabelledPhoto],
    folder: Path,
    read: Callable[[Image.Image], Scene],
    recommend: Callable[[Path, int], Shown] | None = None,
    pictures: Path | None = None,
    progress: Callable = iter,
) -> tuple[list[PhotoResult], dict]:
    """Every labelled photo read, scored and (when `recommend` is given) matched against the catalog."""
    results = []
    for photo in progress(photos):
        with Image.open(photo.path(folder)) as opened:
            image = opened.convert("RGB")
        scene = read(image)
        match = matched_person(scene, photo)
        result = score_photo(photo, scene, match)
        if recommend is not None and match is not None:
            shown = recommend(photo.path(folder), match[0])
            add_recommendations(result, photo, shown.items)
            add_completions(result, photo, shown)
        if pictures is not None:
            draw(image, photo, scene, result, pictures / f"{Path(photo.name).stem}.png")
        results.append(result)
    return results, summary(results)
