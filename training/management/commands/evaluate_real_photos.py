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
        parser.add_argument(
            "--split", choices=("dev", "test", "both"), default="both", help="choose on dev; read test once per change"
        )
        parser.add_argument(
            "--without-people-check", action="store_true", help="as before the COCO people detector (a baseline)"
        )
        parser.add_argument("--ranking", help="ranking weights for this run, e.g. colour=0.3,type=0.5 (LOOK_RANKING)")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **opts) -> None:
        from catalog.models import Product
        from detection.models.segmentation import person_segmenter
        from detection.photos import PhotoLimits, decode_photo
        from detection.scene import read_scene, shipped_models
        from training.real_photo_eval import evaluate
        from training.real_photo_report import summary
        from training.real_photos import LABELS, SPLITS, fetch_photos, labelled_photos

        settings.LOOK_MASK_CROPS = opts["mask_crops"]  # this process only: the pipeline reads it per look
        photos = [p for p in labelled_photos(opts["labels"] or LABELS) if opts["split"] in ("both", p.split)]
        fetch_photos(opts["photos"], opts["cache"], photos)
        models = shipped_models()
        if opts["without_people_check"]:
            models.find_objects = None
        if opts["ranking"]:
            settings.LOOK_RANKING = opts["ranking"]  # this process only: the pipeline reads it per item
        if opts["mask"] == "selfie":
            models.segment = person_segmenter().predict
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
        results, _ = evaluate(
            scaled,
            cleaned,
            lambda image: read_scene(image, models),
            recommend,
            opts["pictures"],
            progress=lambda xs: tqdm(xs, desc="real photos", unit="photo"),
        )
        # Dev and test side by side: choices are made on dev; test is only read, once per finished change.
        splits = SPLITS if opts["split"] == "both" else (opts["split"],)
        figures = {split: summary([r for r in results if r.split == split]) for split in splits}
        figures["ranking"] = settings.LOOK_RANKING
        figures["people_check"] = not opts["without_people_check"]
        # The two readers of article types on the labelled boxes themselves (no detector involved).
        from detection.models.article_types import article_classifier
        from detection.models.garment_names import garment_namer
        from training.name_eval import classifier_names, namer_names
        from training.real_photo_eval import boxes_named_right

        for split in splits:
            figures[split]["labelled_boxes_named_right"] = boxes_named_right(
                [p for p in scaled if p.split == split and p.person is not None],
                cleaned,
                {
                    "garment_namer": namer_names(garment_namer()),
                    "article_classifier": classifier_names(article_classifier()),
                },
            )
        figures["mask"] = opts["mask"]
        figures["crops_masked"] = opts["mask_crops"]
        if opts["json"]:
            self.stdout.write(json.dumps(figures))
            return
        for r in results:
            found = ", ".join(f"{c} {iou:.2f}" for c, iou in r.found.items())
            self.stdout.write(
                f"{r.split:4} {r.name:18} {r.gender_label or 'nobody':6} {r.people_seen} people, "
                f"{r.garments_seen} garments; seen {r.gender_seen or 'unsure':6} ({r.gender_source:6}) "
                f"{r.shot:13} {r.facing:5} found [{found}] invented {r.invented} exact {r.exact_labels} "
                f"named right {r.named_right} completions (rules kept, random) {r.completions}"
            )
        self.stdout.write(json.dumps(figures, indent=1))
        self.stdout.write(f"pictures in {opts['pictures']}")


# The demo store's title words for a fabric, as the labels' patterns (denim and polka dots folded in).
TITLE_PATTERNS = {"Striped": "striped", "Checked": "checked", "Printed": "printed", "Dot": "printed"}


def _pattern(title: str) -> str:
    return next((p for word, p in TITLE_PATTERNS.items() if word in title.split()), "plain")


def _recommend(path: Path, person: int):  # -> training.real_photo_eval.Shown
    """What the worker's pipeline shows for one photo and one person (a Shown); the look is deleted after."""
    from catalog.models import Product
    from shopthelook import pipeline
    from shopthelook.models import Look
    from shopthelook.payloads import look_payload
    from training.real_photo_eval import Garb, Listed, Shown, ShownItem

    def listed(p) -> Listed:  # p: a Product, or a payload's product dict
        title, colour, article = (
            (p["title"], p["colour"], p["article_type"]) if isinstance(p, dict) else (p.title, p.colour, p.article_type)
        )
        return Listed(colour, article, _pattern(title))

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
        searched = look.searched_genders.split(",")

        def pool(category: str) -> list[Listed]:
            found = Product.objects.filter(category=category, in_stock=True, gender__in=[*searched, "unisex"])
            return [listed(p) for p in found]

        items = {
            item["category"]: ShownItem(
                item["article_type"],
                [(r["colour"], r["match"] == "exact match") for r in item["recommendations"]],
                [listed(r) for r in item["recommendations"]],
                pool(item["category"]),
            )
            for item in payload["items"]
            if item["source"] != "shopper"
        }
        rows = {r["category"]: r["products"] for r in payload["complete_the_look"] if not r["in_photo"]}
        completions, pools = {}, {}
        for category, products in rows.items():
            completions[category] = [garb(s["article_type"], s["colour"], s["title"]) for s in products]
            pool = Product.objects.filter(category=category, in_stock=True, gender__in=[*searched, "unisex"])
            pools[category] = [garb(p.article_type, p.colour, p.title) for p in pool]
        return Shown(items, completions, pools)
    finally:
        look.photo.delete(save=False)
        look.delete()
