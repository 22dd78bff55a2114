"""Where the compatibility model's outfits come from: a lookbook's scenes or a scraped catalog's model shots."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from detection.registry import ModelEntry, verified_model

from .outfits import Outfit, Products, lookbook_data

SOURCES = ("lookbook", "catalog")


def add_source_arguments(parser) -> None:
    """--source and --lookbook, as both compatibility commands take them."""
    from django.conf import settings

    parser.add_argument("--source", choices=SOURCES, default="lookbook")
    parser.add_argument("--lookbook", type=Path, default=settings.DATA_DIR / "lookbook-stylist")


@dataclass(frozen=True)
class OutfitData:
    products: Products
    outfits: dict[str, list[Outfit]]  # by split
    photo_of: dict[str, Path]  # product id -> a photo to show it by
    embedder: ModelEntry
    describe: str


def load_outfits(source: str, lookbook: Path) -> OutfitData:
    """Outfits and products of `source`, every vector from the shipped embedder and every class
    probability from the shipped ImageNet classifier (ModelFileError if either is missing)."""
    from detection.models.embedder import Embedder
    from detection.models.garment_names import garment_namer

    entry = verified_model("embedder")
    embedder = Embedder(entry.path)
    namer = garment_namer()

    def classes_of(image, box, others=()):  # the namer's ImageNet classes for a box (None: the whole photo)
        return namer.predict(image, box, others=others).classes

    if source == "lookbook":
        for split in ("train", "val", "test"):
            if not (lookbook / "scenes" / f"{split}.jsonl").exists():
                raise FileNotFoundError(
                    f"no {split} split in {lookbook}: run `manage.py build_lookbook --outfits stylist --out {lookbook}`"
                )
        shas = {"embedder": entry.sha256, "garment_namer": garment_namer.entry.sha256}
        products, outfits = lookbook_data(embedder.embed_batch, classes_of, lookbook, embedder.size, shas)
        photo_of = {pid: lookbook / "products" / pid / "front.jpg" for pid in products.ids}
        return OutfitData(products, outfits, photo_of, entry, f"lookbook {lookbook}")
    if source == "catalog":
        from catalog.models import Product
        from detection.models.garments import garment_detector

        from .catalog_outfits import catalog_outfits, catalog_products

        products = catalog_products()
        if not products.ids:
            raise FileNotFoundError("no embedded products in the catalog: scrape one (`make demo-catalog`) first")
        outfits = catalog_outfits(embedder.embed_batch, classes_of, embedder.size, garment_detector().predict, products)
        photo_of = {}
        for p in Product.objects.filter(pk__in=[int(i) for i in products.ids]).prefetch_related("images"):
            if (thumb := p.thumbnail) is not None:
                photo_of[str(p.pk)] = Path(thumb.image.path)
        return OutfitData(products, outfits, photo_of, entry, "the catalog's model shots")
    raise ValueError(f"source must be one of {', '.join(SOURCES)}, not {source!r}")
