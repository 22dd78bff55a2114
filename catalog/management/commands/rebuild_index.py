"""Embed every product whose vector is missing or stale (or all with --all), read photo views, then report the index."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from catalog.models import ProductImage
from catalog.photo_views import classify_views, unclassified_product_ids
from catalog.product_vectors import embed_products, stale_product_ids
from catalog.search import catalog_index
from detection.registry import ModelFileError


class Command(BaseCommand):
    help = (
        "Compute product vectors with the shipped embedder, read each photo's view and choose thumbnails, and check "
        "the vector index builds from them."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--all", action="store_true", help="re-embed every product, not only stale ones")
        parser.add_argument("--batch", type=int, default=64)

    def handle(self, *args, **opts) -> None:
        try:
            if opts["all"]:
                ids = sorted(ProductImage.objects.filter(is_thumbnail=True).values_list("product_id", flat=True))
            else:
                ids = stale_product_ids()
            made, failed = 0, {}
            with tqdm(total=len(ids), unit="product", desc="embed catalog") as bar:
                for start in range(0, len(ids), opts["batch"]):
                    batch = ids[start : start + opts["batch"]]
                    report = embed_products(batch, force=opts["all"])
                    made += report.done
                    failed |= report.failed
                    bar.update(len(batch))
            views_ids = ids if opts["all"] else unclassified_product_ids()
            viewed = 0
            for start in tqdm(range(0, len(views_ids), opts["batch"]), unit="batch", desc="read photo views"):
                viewed += classify_views(views_ids[start : start + opts["batch"]], force=opts["all"])
            index = catalog_index()
            index.rebuild()
        except ModelFileError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{made} products embedded, {viewed} given a thumbnail by view; the vector index holds {len(index)} "
            "in-stock products"
        )
        if failed:  # the others are stored; these stay stale and are tried again by the next run
            lines = "\n".join(f"  product {pid}: {why}" for pid, why in sorted(failed.items()))
            raise CommandError(f"{len(failed)} products could not be embedded:\n{lines}")
