"""Put demo-store products straight into the catalog (no browser), and render scenes wearing them."""

from __future__ import annotations

import io
import random
from decimal import Decimal

from django.core.files.base import ContentFile
from PIL import Image

from catalog.ingest import ImageBlob, ProductRecord, upsert_product
from catalog.models import Product
from shopthelook.models import Look
from synthetic.designs import DemoProduct, generate_catalog
from synthetic.scenes import Scene, render_scene
from synthetic.site import DemoStore
from synthetic.stylist import random_outfit
from synthetic.views import HEIGHT, WIDTH, view_jpeg

CATALOG = {"n_products": 120, "seed": 4242}  # a catalog no model was trained on


def demo_products() -> list[DemoProduct]:
    return generate_catalog(**CATALOG)


def ingest(
    products: list[DemoProduct], views: tuple[str, ...] = ("front",), store: DemoStore | None = None
) -> dict[str, Product]:
    """Each product with its photos of `views`, as a scrape of the demo store would store them
    (model shots dressed as `store` dresses them; house garments without one)."""
    stored = {}
    for p in products:
        url = f"http://127.0.0.1:8765/p/{p.product_id}"
        outfit = store.shot_outfit(p) if store else None
        photos = tuple(
            ImageBlob(view_jpeg(p, v, outfit=outfit if v == "model" else None), f"{url}/{v}.jpg", WIDTH, HEIGHT, v)
            for v in views
            if v in p.views
        )
        record = ProductRecord(
            source="demo",
            external_id=p.product_id,
            url=url,
            title=p.title,
            gender=p.gender,
            category=p.category,
            brand=p.brand,
            price=Decimal(p.price),
            article_type=p.article_type,
            colour=p.colour_name,
            in_stock=True,
            images=photos,
        )
        stored[p.product_id], _ = upsert_product(record)
    return stored


def scene(products: list[DemoProduct], gender: str, seed: int, size: tuple[int, int] = (480, 640)) -> Scene:
    pool: dict = {}
    for p in products:
        pool.setdefault((p.gender, p.category), []).append(p)
    rng = random.Random(seed)
    return render_scene(random_outfit(pool, gender, rng), gender, rng, *size)


def jpeg_of(scene: Scene) -> bytes:
    out = io.BytesIO()
    scene.image.save(out, "JPEG", quality=92)
    return out.getvalue()


def look_from(data: bytes, gender_choice: str = "auto") -> Look:
    """A queued look of the photo `data`, stored as an upload would be (not analysed)."""
    with Image.open(io.BytesIO(data)) as image:
        look = Look(gender_choice=gender_choice, width=image.width, height=image.height)
    look.photo.save("x.jpg", ContentFile(data), save=False)
    look.save()
    return look
