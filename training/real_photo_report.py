"""The real photos' figures summed over a split, and each photo drawn with its labels and what was seen."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image, ImageDraw

from detection.scene import Scene

from .real_photos import LabelledPhoto

if TYPE_CHECKING:  # evaluation imports this module: the result type is only named here
    from .real_photo_eval import PhotoResult


def _agreement(results: list[PhotoResult], what: str) -> dict:
    """Over every garment: the share of its top products that agree, of what could, and of a random pick."""
    rows = [a for r in results for a in r.agreement.get(what, {}).values()]
    if not rows:
        return {"garments": 0}
    return {
        "garments": len(rows),
        "at_8": round(sum(a.hits for a in rows) / max(1, sum(a.shown for a in rows)), 3),
        "of_possible": round(sum(a.hits for a in rows) / max(1, sum(a.possible for a in rows)), 3),
        "random": round(float(np.mean([a.random for a in rows])), 3),
        # What a perfect reader would get of what is possible (best_possible): colour and type compete for 8 places.
        "best_possible": round(sum(a.best for a in rows) / max(1, sum(a.possible for a in rows)), 3),
    }


def _mean(values: list) -> float | None:
    return round(float(np.mean(values)), 3) if values else None


def summary(results: list[PhotoResult]) -> dict:
    """The figures of a set of photos; photos of nobody count only towards the garments seen where nobody is."""
    nobody = [r for r in results if r.nobody]
    results = [r for r in results if not r.nobody]
    visible = [iou for r in results for iou in r.found.values()]
    reported = sum(sum(1 for v in r.found.values() if v > 0) + len(r.invented) for r in results)
    invented = sum(len(r.invented) for r in results)
    found_ious = [v for v in visible if v > 0]
    colour = [v for r in results for v in r.colour_hits.values()]
    named = [v for r in results for v in r.named_right.values()]
    rows = [v for r in results for v in r.completions.values()]
    return {
        "photos": len(results),
        "nobody_photos": len(nobody),
        "garments_where_nobody_is": sum(r.garments_seen for r in nobody),
        "nobody_photos_with_garments": sum(1 for r in nobody if r.garments_seen),
        "main_person_found": _mean([r.person_found for r in results]),
        "main_person_shopped_first": _mean([r.main_agrees for r in results]),
        "gender_accuracy": _mean([r.gender_score for r in results]),
        "gender_confidently_wrong": sum(1 for r in results if r.gender_seen and r.gender_seen != r.gender_label),
        "gender_not_sure": sum(1 for r in results if not r.gender_seen),
        "visible_garments": len(visible),
        "visible_found": round(sum(v > 0 for v in visible) / max(1, len(visible)), 3),
        "reported_not_visible": invented,
        "reported_not_visible_rate": round(invented / max(1, reported), 3),
        "box_iou_mean": round(float(np.mean(found_ious)), 3) if found_ious else None,
        "colour_agreement_at_8": round(float(np.mean(colour)), 3) if colour else None,
        "exact_match_labels": sum(r.exact_labels for r in results),
        "garments_named": len(named),
        "named_right": round(float(np.mean(named)), 3) if named else None,
        "colour_family": _agreement(results, "colour"),
        "article_type": _agreement(results, "type"),
        "pattern": _agreement(results, "pattern"),
        "completion_rows": len(rows),
        "completion_rules_kept": round(float(np.mean([a for a, _ in rows])), 3) if rows else None,
        "random_rules_kept": round(float(np.mean([b for _, b in rows])), 3) if rows else None,
    }


SOURCE_COLOURS = {"detector": (255, 140, 0), "pose": (0, 160, 255), "layout": (200, 0, 200)}


def draw(image: Image.Image, photo: LabelledPhoto, scene: Scene, result: PhotoResult, out: Path) -> Path:
    """The photo with the labels (green, dashed people) and what was seen (per source), for a person to look at."""
    canvas = image.convert("RGB").copy()
    pen = ImageDraw.Draw(canvas)
    width = max(2, round(max(canvas.size) / 300))
    if photo.person is not None:
        pen.rectangle(photo.person, outline=(0, 200, 0), width=width)
    for garment in photo.garments:
        pen.rectangle(garment.box, outline=(0, 255, 0), width=width)
    for n, person in enumerate(scene.people):
        pen.rectangle(person.box.as_tuple(), outline=(255, 255, 255) if n else (255, 0, 0), width=width)
        for box, source in person.garments:
            pen.rectangle(box.as_tuple(), outline=SOURCE_COLOURS.get(source, (255, 255, 0)), width=width)
            pen.text((box.x1 + 4, box.y1 + 2), f"{box.label} ({source})", fill=SOURCE_COLOURS.get(source))
    caption = (
        f"{photo.name} ({photo.split}): labelled {photo.gender or 'nobody'}; seen {result.gender_seen or 'not sure'} "
        f"({result.gender_source}), {result.shot}, {result.facing}"
    )
    named = ", ".join(
        f"{c} named {t or '-'}" + {True: " (right)", False: " (wrong)"}.get(result.named_right.get(c), "")
        for c, t in result.names.items()
    )
    pen.rectangle((0, 0, canvas.width, 28 + width), fill=(0, 0, 0))
    pen.text((4, 2), caption, fill=(255, 255, 255))
    pen.text((4, 15), named or "no garment named", fill=(255, 255, 255))
    out.parent.mkdir(parents=True, exist_ok=True)
    canvas.save(out)
    return out
