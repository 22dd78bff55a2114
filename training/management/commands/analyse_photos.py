"""`manage.py analyse_photos PHOTO...`: what the shipped models see in photos: raw detections and the scene."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from PIL import Image, ImageOps, UnidentifiedImageError

from detection.models.garments import PERSON, garment_detector
from detection.models.gender import gender_classifier
from detection.registry import ModelFileError


class Command(BaseCommand):
    help = "Run the shipped models on photos: the garment detector's raw boxes, and the scene the worker reads."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("photos", nargs="+", type=Path)
        parser.add_argument("--conf", type=float, default=0.25)
        parser.add_argument("--box", action="append", default=[], help="x1,y1,x2,y2 of a person to classify too")

    def handle(self, *args, **opts) -> None:
        from detection.scene import read_scene, shipped_models
        from shopthelook.records import person_record

        try:
            detector = garment_detector()
            gender = gender_classifier()
            models = shipped_models()
        except ModelFileError as exc:
            raise CommandError(str(exc)) from exc
        extra_boxes = [tuple(float(v) for v in b.split(",")) for b in opts["box"]]
        for path in opts["photos"]:
            try:
                with Image.open(path) as raw:
                    image = ImageOps.exif_transpose(raw).convert("RGB")
            except (OSError, UnidentifiedImageError) as exc:
                raise CommandError(f"{path}: not a readable image ({exc})") from exc
            boxes = detector.predict(image, conf=opts["conf"])
            persons = [b for b in boxes if b.label == PERSON]
            report = {
                "photo": str(path),
                "size": image.size,
                "detections": [
                    {"label": b.label, "score": round(b.score, 3), "box": [round(v) for v in b.as_tuple()]}
                    for b in boxes
                ],
                "p_women_whole_photo": round(gender.predict(image).p_women, 3),
                "p_women_detected_person": [round(gender.predict(image, p.as_tuple()).p_women, 3) for p in persons],
                "p_women_given_boxes": [round(gender.predict(image, b).p_women, 3) for b in extra_boxes],
                "people": [person_record(p) for p in read_scene(image, models).people],  # the worker's reading
            }
            self.stdout.write(json.dumps(report))
