"""Builders for catalog records and small real JPEG images."""

from __future__ import annotations

import io
from decimal import Decimal

from PIL import Image

from catalog.ingest import ImageBlob, ProductRecord


def jpeg(colour: str = "red", size: tuple[int, int] = (32, 40)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, "JPEG")
    return buf.getvalue()


def blob(colour: str = "red", view: str = "front") -> ImageBlob:
    return ImageBlob(jpeg(colour), f"http://127.0.0.1/{colour}-{view}.jpg", 32, 40, view)


def record(external_id: str = "A1", gender: str = "men", category: str = "topwear", **overrides) -> ProductRecord:
    fields = {
        "source": "demo",
        "external_id": external_id,
        "url": f"http://127.0.0.1/p/{external_id}",
        "title": f"Men Red Shirt {external_id}",
        "gender": gender,
        "category": category,
        "brand": "Halden",
        "price": Decimal("999"),
        "images": (blob("red", "model"), blob("blue", "front")),
    }
    fields.update(overrides)
    return ProductRecord(**fields)
