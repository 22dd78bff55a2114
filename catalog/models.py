"""Products scraped from shops, their photos and their vectors; genders and categories come from the taxonomy."""

from __future__ import annotations

import numpy as np
from django.db import models
from django.db.models import Q

from detection import taxonomy
from detection.garment_colours import SIZE as COLOUR_SIZE
from embeddings.feature_codec import CLASSES, from_bytes

# The taxonomy's values for code (Gender.MEN == "men", Category.values, ...).
Gender = models.TextChoices("Gender", [(g.name.upper(), (g.name, g.label)) for g in taxonomy.GENDERS])
Category = models.TextChoices("Category", [(c.name.upper(), (c.name, c.label)) for c in taxonomy.CATEGORIES])


# The database choices, read from the taxonomy when asked: migrations name these functions, not
# their values, so a category added to the taxonomy file needs no migration.
def gender_choices() -> list[tuple[str, str]]:
    return [(g.name, g.label) for g in taxonomy.GENDERS]


def category_choices() -> list[tuple[str, str]]:
    return [(c.name, c.label) for c in taxonomy.CATEGORIES]


class ProductQuerySet(models.QuerySet["Product"]):
    def in_partition(self, gender: str, category: str) -> ProductQuerySet:
        """Products a shopper of `gender` could be shown for `category`; unisex fits both."""
        genders = [gender] if gender == Gender.UNISEX else [gender, Gender.UNISEX]
        return self.filter(gender__in=genders, category=category)

    def partition_counts(self) -> dict[tuple[str, str], int]:
        rows = self.values_list("gender", "category").annotate(n=models.Count("id"))
        return {(gender, category): n for gender, category, n in rows}


class Product(models.Model):
    source = models.CharField(max_length=64, help_text="Site profile the product came from.")
    external_id = models.CharField(max_length=128)
    url = models.URLField(max_length=1000)
    title = models.CharField(max_length=300)
    brand = models.CharField(max_length=120, blank=True)
    price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="INR")
    gender = models.CharField(max_length=8, choices=gender_choices)
    category = models.CharField(max_length=taxonomy.MAX_NAME, choices=category_choices)
    article_type = models.CharField(max_length=40, blank=True)
    # True when the shop gave no type and the article classifier filled it in from the photos.
    article_type_predicted = models.BooleanField(default=False)
    colour = models.CharField(max_length=40, blank=True)
    in_stock = models.BooleanField(default=True)
    first_seen = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField()

    objects = ProductQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "external_id"], name="product_unique_source_id")]
        indexes = [models.Index(fields=["gender", "category"], name="product_partition")]
        ordering = ["source", "external_id"]

    def __str__(self) -> str:
        return f"{self.brand} {self.title}".strip()

    @property
    def thumbnail(self) -> ProductImage | None:
        return next((img for img in self.images.all() if img.is_thumbnail), None)


def product_image_path(instance: ProductImage, filename: str) -> str:
    # Content-addressed names: the same bytes re-scraped land on the same path.
    return f"products/{instance.product.source}/{instance.sha256[:2]}/{instance.sha256}.jpg"


class ProductImage(models.Model):
    class View(models.TextChoices):
        FRONT = "front", "Front"
        BACK = "back", "Back"
        SIDE = "side", "Side"
        DETAIL = "detail", "Detail"
        MODEL = "model", "Model shot"
        OTHER = "other", "Other"

    product = models.ForeignKey(Product, related_name="images", on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField()
    view = models.CharField(max_length=8, choices=View.choices, default=View.OTHER)
    image = models.ImageField(upload_to=product_image_path)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    source_url = models.URLField(max_length=1000)
    is_thumbnail = models.BooleanField(default=False)
    # What the view classifier saw (the shop's own `view` label is often missing or "other").
    predicted_view = models.CharField(max_length=8, choices=View.choices, blank=True)
    predicted_view_score = models.FloatField(null=True, blank=True)
    # The sha256 of the view classifier that read it: a new one shipped makes every reading stale.
    view_model_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["product", "position"]
        constraints = [
            models.UniqueConstraint(fields=["product", "position"], name="image_unique_position"),
            models.UniqueConstraint(fields=["product"], condition=Q(is_thumbnail=True), name="image_one_thumbnail"),
        ]

    def __str__(self) -> str:
        return f"{self.product.external_id} #{self.position} ({self.view})"


class ProductEmbedding(models.Model):
    """A product's vectors from the Siamese embedder: one per indexed photo (see `indexes_view`).

    The rows are the source of truth; the vector index (FAISS in each worker, or pgvector) is
    rebuilt from them. `model_sha256` ties the vectors to the model that made them, so shipping a
    new embedder makes every old vector stale; `photos_sha256` ties them to the photos.
    """

    product = models.OneToOneField(Product, primary_key=True, related_name="embedding", on_delete=models.CASCADE)
    model_sha256 = models.CharField(max_length=64)
    photos_sha256 = models.CharField(max_length=64, help_text="sha256 of the embedded photos' sha256s, in order.")
    photos = models.PositiveSmallIntegerField(default=1, help_text="How many photos (and so vectors) are stored.")
    vector = models.BinaryField(help_text="photos x dim float32, little-endian, rows of unit length.")
    colours = models.BinaryField(
        blank=True,
        default=b"",
        help_text="photos x detection.garment_colours.SIZE float32: each photo's colours, for complete the look.",
    )
    classes = models.BinaryField(
        blank=True,
        default=b"",
        help_text="photos x 1000 float16: what the ImageNet classifier sees in each photo, for complete the look.",
    )
    updated = models.DateTimeField(auto_now=True, db_index=True)

    def __str__(self) -> str:
        return f"embedding of {self.product_id}"

    def vectors(self) -> np.ndarray:
        """(photos x dim), one row per indexed photo in position order."""
        return from_bytes("vector", self.vector).reshape(self.photos, -1)

    def photo_colours(self) -> np.ndarray | None:
        """(photos x garment_colours.SIZE), or None when they were never read (or by another descriptor)."""
        colours = from_bytes("colours", self.colours)
        return colours.reshape(self.photos, -1) if len(colours) == self.photos * COLOUR_SIZE else None

    def photo_classes(self) -> np.ndarray | None:
        """(photos x feature_codec.CLASSES) ImageNet class probabilities, or None when they were never read."""
        classes = from_bytes("classes", self.classes)
        return classes.reshape(self.photos, -1) if len(classes) == self.photos * CLASSES else None
