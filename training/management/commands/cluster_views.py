"""`manage.py cluster_views`: KMeans over the catalog photos of each category, k by elbow and silhouette."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from django.core.management.base import BaseCommand, CommandError, CommandParser
from PIL import Image, ImageDraw
from tqdm import tqdm

from catalog import taxonomy
from catalog.models import ProductImage
from embeddings.embedder import embedder
from training.catalog_photos import crop, features, imagenet_backbone, training_photos
from training.plots import plot_k_sweep
from training.view_clusters import Sweep, medoids, photo_key, purity, sweep

SHEET_THUMB, SHEET_PER_CLUSTER = 72, 10


class Command(BaseCommand):
    help = (
        "Cluster every catalog photo of each category by its CNN features (the ImageNet MobileNetV2 and our "
        "embedder), for k in a range; plot the elbow and silhouette, draw each cluster's photos, and score "
        "the clusters against the views the store gives (for scoring only)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--k-min", type=int, default=2)
        parser.add_argument("--k-max", type=int, default=20)
        parser.add_argument("--out", default="reports/views")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **opts) -> None:
        out = Path(opts["out"])
        out.mkdir(parents=True, exist_ok=True)
        ks = list(range(opts["k_min"], opts["k_max"] + 1))
        imagenet = imagenet_backbone()
        ours = embedder()
        report = {}
        for category in taxonomy.CATEGORY_NAMES:
            rows = training_photos(category)
            if len(rows) < ks[-1]:
                raise CommandError(
                    f"{category}: {len(rows)} photos, too few for k up to {ks[-1]} (run make demo-catalog)"
                )
            crops = np.stack([crop(r) for r in tqdm(rows, desc=f"{category} photos", unit="photo")])
            backbones = {
                "imagenet-mobilenetv2": features(crops, imagenet),
                "our-embedder": ours.embed_batch(crops),
            }
            truth = [r.view for r in rows]
            sweeps = {
                name: sweep(x, ks) for name, x in tqdm(backbones.items(), desc=f"{category} k-means", unit="backbone")
            }
            report[category] = {name: self._scores(s, truth) for name, s in sweeps.items()}
            report[category]["photos"] = len(rows)
            report[category]["views"] = sorted(set(truth))
            plot_k_sweep(
                {n: (s.ks, s.sse, s.silhouettes, s.elbow_k, s.chosen_k) for n, s in sweeps.items()},
                out / f"{category}_k.png",
                f"{category}: {len(rows)} catalog photos",
            )
            best = sweeps["imagenet-mobilenetv2"]
            run = best.runs[best.chosen_k]
            exemplars = medoids(backbones["imagenet-mobilenetv2"], run)
            # What a person names (training/data/view_names.json): each cluster's exemplar photo.
            report[category]["exemplars"] = {
                str(c): photo_key(rows[i].product.external_id, rows[i].position) for c, i in exemplars.items()
            }
            self._sheet(rows, crops, run.labels, out / f"{category}_clusters.png")
        (out / "views.json").write_text(json.dumps(report, indent=2))
        if opts["json"]:
            self.stdout.write(json.dumps(report))
            return
        for category, r in report.items():
            self.stdout.write(f"{category}: {r['photos']} photos, the store's views {', '.join(r['views'])}")
            for name in ("imagenet-mobilenetv2", "our-embedder"):
                s = r[name]
                self.stdout.write(
                    f"  {name:22} elbow k {s['elbow_k']:2}  best-silhouette k {s['silhouette_k']:2}  chosen k "
                    f"{s['chosen_k']:2}  silhouette {s['silhouette']:.3f}  purity {s['purity']:.3f}"
                )
        self.stdout.write(f"plots and cluster sheets in {out}/")

    @staticmethod
    def _scores(s: Sweep, truth: list[str]) -> dict:
        k = s.chosen_k
        return {
            "elbow_k": s.elbow_k,
            "silhouette_k": s.silhouette_k,
            "chosen_k": k,
            "silhouette": round(s.silhouettes[s.ks.index(k)], 4),
            "purity": round(purity(s.runs[k].labels, truth), 4),
            "sse": [round(v, 2) for v in s.sse],
            "silhouettes": [round(v, 4) for v in s.silhouettes],
        }

    @staticmethod
    def _sheet(rows: list[ProductImage], crops: np.ndarray, labels: np.ndarray, path: Path) -> None:
        """A row of photos per cluster (its number first), as a person looks at them to name each one's view."""
        clusters = sorted(set(labels.tolist()))
        sheet = Image.new("RGB", (SHEET_THUMB * (SHEET_PER_CLUSTER + 1), SHEET_THUMB * len(clusters)), "white")
        draw = ImageDraw.Draw(sheet)
        rng = np.random.default_rng(0)
        for row_no, c in enumerate(clusters):
            draw.text((SHEET_THUMB // 3, row_no * SHEET_THUMB + SHEET_THUMB // 3), str(c), fill="black")
            members = np.flatnonzero(labels == c)
            for col, i in enumerate(rng.permutation(members)[:SHEET_PER_CLUSTER]):
                thumb = Image.fromarray((crops[i] * 255).astype(np.uint8)).resize((SHEET_THUMB, SHEET_THUMB))
                sheet.paste(thumb, ((col + 1) * SHEET_THUMB, row_no * SHEET_THUMB))
        sheet.save(path)
