"""`manage.py cluster_views`: KMeans over the catalog photos of each category, k by elbow and silhouette."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from django.core.management.base import BaseCommand, CommandError, CommandParser
from PIL import Image, ImageDraw
from tqdm import tqdm

from catalog.models import ProductImage
from detection import taxonomy
from detection.models.embedder import embedder
from training.catalog_photos import crop, features, grid_backbone, grid_features, imagenet_backbone, training_photos
from training.plots import plot_k_sweep
from training.view_clusters import Sweep, centre_by_group, halves, kmeans, medoids, photo_key, purity, sweep

SHEET_THUMB, SHEET_PER_CLUSTER = 128, 8
NAMING_BACKBONE = "imagenet-grid-product-centred"
# The clusters a person names: finer than the chosen k. The elbow says how many groups the photos
# fall into; a view classifier needs groups of one view each, and small clusters are purer.
NAMING_K = 16


class Command(BaseCommand):
    help = (
        "Cluster every catalog photo of each category by its CNN features (the ImageNet MobileNetV2 and our "
        "embedder), for k in a range; plot the elbow and silhouette, draw each cluster's photos, and score "
        "the clusters against the views the store gives (for scoring only)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--k-min", type=int, default=2)
        parser.add_argument("--k-max", type=int, default=20)
        parser.add_argument("--naming-k", type=int, default=NAMING_K)
        parser.add_argument("--out", default="reports/views")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **opts) -> None:
        out = Path(opts["out"])
        out.mkdir(parents=True, exist_ok=True)
        ks = list(range(opts["k_min"], opts["k_max"] + 1))
        imagenet = imagenet_backbone()
        grid = grid_backbone(imagenet)
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
                NAMING_BACKBONE: centre_by_group(grid_features(crops, grid), [r.product_id for r in rows]),
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
            run = kmeans(backbones[NAMING_BACKBONE], opts["naming_k"])
            report[category]["naming"] = {
                "backbone": NAMING_BACKBONE,
                "k": run.k,
                "purity": round(purity(run.labels, truth), 4),
            }
            exemplars = medoids(backbones[NAMING_BACKBONE], run)
            # What a person names (training/data/view_names.json): each cluster's exemplar photo.
            report[category]["exemplars"] = {
                str(c): photo_key(rows[i].product.external_id, rows[i].position) for c, i in exemplars.items()
            }
            self._sheet(rows, crops, run.labels, exemplars, out / f"{category}_clusters.png")
            # Each cluster cut in two, for the clusters a person finds mixed on the first sheet.
            split = halves(backbones[NAMING_BACKBONE], run)
            half_exemplars = medoids(backbones[NAMING_BACKBONE], split)
            report[category]["half_exemplars"] = {
                str(c): photo_key(rows[i].product.external_id, rows[i].position) for c, i in half_exemplars.items()
            }
            self._sheet(rows, crops, split.labels, half_exemplars, out / f"{category}_halves.png")
        (out / "views.json").write_text(json.dumps(report, indent=2))
        if opts["json"]:
            self.stdout.write(json.dumps(report))
            return
        for category, r in report.items():
            self.stdout.write(f"{category}: {r['photos']} photos, the store's views {', '.join(r['views'])}")
            for name in ("imagenet-mobilenetv2", "our-embedder", NAMING_BACKBONE):
                s = r[name]
                self.stdout.write(
                    f"  {name:30} elbow k {s['elbow_k']:2}  best-silhouette k {s['silhouette_k']:2}  chosen k "
                    f"{s['chosen_k']:2}  silhouette {s['silhouette']:.3f}  purity {s['purity']:.3f}"
                )
            n = r["naming"]
            self.stdout.write(f"  the sheet to name: {n['backbone']}, k {n['k']}, purity {n['purity']:.3f}")
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
    def _sheet(
        rows: list[ProductImage], crops: np.ndarray, labels: np.ndarray, exemplars: dict[int, int], path: Path
    ) -> None:
        """A row of photos per cluster, its number and exemplar first, as a person looks at them to name its view."""
        clusters = sorted(set(labels.tolist()))
        sheet = Image.new("RGB", (SHEET_THUMB * (SHEET_PER_CLUSTER + 1), SHEET_THUMB * len(clusters)), "white")
        draw = ImageDraw.Draw(sheet)
        rng = np.random.default_rng(0)
        for row_no, c in enumerate(clusters):
            key = photo_key(rows[exemplars[c]].product.external_id, rows[exemplars[c]].position)
            draw.text((4, row_no * SHEET_THUMB + SHEET_THUMB // 3), f"{c}\n{key}", fill="black")
            members = np.flatnonzero(labels == c)
            others = [i for i in rng.permutation(members) if i != exemplars[c]]
            for col, i in enumerate([exemplars[c], *others][:SHEET_PER_CLUSTER]):
                thumb = Image.fromarray((crops[i] * 255).astype(np.uint8)).resize((SHEET_THUMB, SHEET_THUMB))
                sheet.paste(thumb, ((col + 1) * SHEET_THUMB, row_no * SHEET_THUMB))
        sheet.save(path)
