"""`manage.py evaluate_real_photos`: what the worker sees on the labelled real photos, scored, with pictures."""

from __future__ import annotations

import io
import json
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError, CommandParser
from PIL import Image
from tqdm import tqdm

REPORTS = Path(settings.BASE_DIR) / "reports" / "real_photos"


class Command(BaseCommand):
    help = (
        "Score the shipped models and the look pipeline on the labelled real photos (training/data/real_photos.json)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--photos", type=Path, default=settings.DATA_DIR / "real-photos", help="fetched here")
        parser.add_argument("--cache", type=Path, default=settings.DATA_DIR / "packages")
        parser.add_argument("--labels", type=Path, help="another labels file (a held-back set, say)")
        parser.add_argument("--pictures", type=Path, default=REPORTS, help="where the drawn boxes go")
        parser.add_argument("--no-catalog", action="store_true", help="skip recommendations (colour, exact match)")
        parser.add_argument("--mask", choices=("pose", "selfie"), default="pose", help="person mask for regions")
        parser.add_argument("--mask-crops", action="store_true", help="embed crops masked to the person")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **opts) -> None:
        from catalog.models import Product
        from detection.photos import PhotoLimits, decode_photo
        from detection.scene import read_scene, shipped_models
        from detection.segmentation import person_segmenter
        from training.real_photo_eval import evaluate
        from training.real_photos import LABELS, fetch_photos, labelled_photos

        settings.LOOK_MASK_CROPS = opts["mask_crops"]  # this process only: the pipeline reads it per look
        photos = labelled_photos(opts["labels"] or LABELS)
        fetch_photos(opts["photos"], opts["cache"], photos)
        models = shipped_models()
        if opts["mask"] == "selfie":
            models.segment = person_segmenter().mask
        limits = PhotoLimits(settings.LOOK_MAX_BYTES, settings.LOOK_MAX_PIXELS, max_side=settings.LOOK_MAX_SIDE)

        # Each photo goes through the upload's own decoding (so it is shrunk as the worker gets it),
        # and the labels are scaled with it.
        cleaned = opts["photos"] / "as-uploaded"
        cleaned.mkdir(parents=True, exist_ok=True)
        scaled = []
        for photo in photos:
            data = photo.path(opts["photos"]).read_bytes()
            clean = decode_photo(data, limits)
            with Image.open(io.BytesIO(data)) as original:  # reads the header only
                scaled.append(photo.scaled(clean.width / original.width))
            photo.path(cleaned).write_bytes(clean.jpeg)

        recommend = None
        if not opts["no_catalog"]:
            if not Product.objects.exists():
                raise CommandError("the catalog is empty: run `make demo-catalog` first (or pass --no-catalog)")
            recommend = _recommend
        results, figures = evaluate(
            scaled,
            cleaned,
            lambda image: read_scene(image, models),
            recommend,
            opts["pictures"],
            progress=lambda xs: tqdm(xs, desc="real photos", unit="photo"),
        )
        # The two readers of article types on the labelled boxes themselves (no detector involved).
        from detection.article_types import article_classifier
        from detection.garment_names import garment_namer
        from training.real_photo_eval import boxes_named_right

        figures["labelled_boxes_named_right"] = boxes_named_right(
            scaled,
            cleaned,
            {"garment_namer": garment_namer().name, "article_classifier": article_classifier().classify_crop},
        )
        figures["mask"] = opts["mask"]
        figures["crops_masked"] = opts["mask_crops"]
        if opts["json"]:
            self.stdout.write(json.dumps(figures))
            return
        for r in results:
            found = ", ".join(f"{c} {iou:.2f}" for c, iou in r.found.items())
            self.stdout.write(
                f"{r.name:18} {r.gender_label:5} seen {r.gender_seen or 'unsure':6} ({r.gender_source:6}) "
                f"{r.shot:13} {r.facing:5} found [{found}] invented {r.invented} exact {r.exact_labels} "
                f"named right {r.named_right} completions (rules kept, random) {r.completions}"
            )
        self.stdout.write(json.dumps(figures, indent=1))
        self.stdout.write(f"pictures in {opts['pictures']}")


def _recommend(path: Path, person: int):  # -> training.real_photo_eval.Shown
    """What the worker's pipeline shows for one photo and one person (a Shown); the look is deleted after."""
    from catalog.models import Product
    from shopthelook import pipeline
    from shopthelook.models import Look
    from shopthelook.payloads import look_payload
    from training.real_photo_eval import Garb, Shown, ShownItem

    def garb(article_type: str, colour: str, title: str) -> Garb:
        return Garb(article_type, colour, "Washed" in title.split())  # the demo store's word for denim

    with Image.open(path) as image:
        look = Look(width=image.width, height=image.height)
    look.photo.save("eval.jpg", ContentFile(path.read_bytes()), save=False)
    look.save()
    try:
        pipeline.run_look(look.pk)
        if person:
            pipeline.shop_person(look.pk, person)
        look.refresh_from_db()
        payload = look_payload(look)
        items = {
            item["category"]: ShownItem(
                item["article_type"], [(r["colour"], r["match"] == "exact match") for r in item["recommendations"]]
            )
            for item in payload["items"]
            if item["source"] != "shopper"
        }
        rows = {r["category"]: r["products"] for r in payload["complete_the_look"] if not r["in_photo"]}
        searched = look.searched_genders.split(",")
        completions, pools = {}, {}
        for category, products in rows.items():
            completions[category] = [garb(s["article_type"], s["colour"], s["title"]) for s in products]
            pool = Product.objects.filter(category=category, in_stock=True, gender__in=[*searched, "unisex"])
            pools[category] = [garb(p.article_type, p.colour, p.title) for p in pool]
        return Shown(items, completions, pools)
    finally:
        look.photo.delete(save=False)
        look.delete()
