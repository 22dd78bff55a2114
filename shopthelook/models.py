"""The shopper flow's records: a Look (an uploaded photo), its items, their recommendations, staff feedback."""

from __future__ import annotations

import uuid

import numpy as np
from django.conf import settings
from django.db import models
from django.utils import timezone

from catalog.models import Product, category_choices
from detection import taxonomy
from embeddings.feature_codec import from_bytes


def look_photo_path(instance: Look, filename: str) -> str:
    # A random name: the shopper's file name never reaches the disk or a URL.
    day = timezone.now().strftime("%Y/%m/%d")
    return f"looks/{day}/{uuid.uuid4().hex}.jpg"


class Look(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        ANALYSING = "analysing", "Analysing"
        MATCHING = "matching", "Matching"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    class GenderChoice(models.TextChoices):
        AUTO = "auto", "As seen"
        MEN = "men", "Men"
        WOMEN = "women", "Women"
        ALL = "all", "All"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)  # unguessable in URLs
    photo = models.ImageField(upload_to=look_photo_path)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    error = models.TextField(blank=True)
    gender_choice = models.CharField(max_length=5, choices=GenderChoice.choices, default=GenderChoice.AUTO)
    p_women = models.FloatField(null=True, blank=True, help_text="The classifier's P(women) for the person.")
    gender_seen = models.CharField(max_length=5, blank=True, help_text="men, women, or blank when unsure.")
    gender_source = models.CharField(
        max_length=6, blank=True, help_text="Where the gender was read: face, figure, or unsure."
    )
    people = models.JSONField(
        default=list, blank=True, help_text="Everyone the analysis saw: box, shot, facing, gender, garments."
    )
    person = models.PositiveSmallIntegerField(default=0, help_text="Whose outfit is shopped: an index into people.")
    searched_genders = models.CharField(max_length=20, blank=True, help_text="Partitions searched, e.g. men,women.")
    fallback = models.CharField(max_length=200, blank=True, help_text="Why items come from layout, if so.")
    timings = models.JSONField(default=dict, blank=True, help_text="Milliseconds per stage.")
    attempts = models.PositiveSmallIntegerField(default=0)
    worker = models.CharField(max_length=200, blank=True, help_text="The Celery node of the latest attempt.")
    client = models.CharField(max_length=64, blank=True, db_index=True, help_text="Hashed client address (rate limit).")
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    changed = models.DateTimeField(
        null=True, blank=True, help_text="When the shopper's latest change (gender, person, drawn box) was queued."
    )

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"look {str(self.id)[:8]} ({self.status})"


class LookItem(models.Model):
    class Source(models.TextChoices):
        DETECTOR = "detector", "Detected"
        POSE = "pose", "Pose region"
        LAYOUT = "layout", "Layout fallback"
        SHOPPER = "shopper", "Drawn by the shopper"

    look = models.ForeignKey(Look, related_name="items", on_delete=models.CASCADE)
    category = models.CharField(max_length=taxonomy.MAX_NAME, choices=category_choices)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.DETECTOR)
    score = models.FloatField(default=0.0, help_text="Detector confidence (0 for layout and drawn boxes).")
    x1 = models.FloatField()
    y1 = models.FloatField()
    x2 = models.FloatField()
    y2 = models.FloatField()
    vector = models.BinaryField(blank=True, help_text="The crop's embedding, so re-matching skips the models.")
    colours = models.BinaryField(
        blank=True,
        default=b"",
        help_text="The garment's colours as worn (detection.garment_colours), for complete the look.",
    )
    classes = models.BinaryField(
        blank=True,
        default=b"",
        help_text="What the ImageNet classifier sees in the garment (float16), for complete the look.",
    )
    article_type = models.CharField(
        max_length=40, blank=True, help_text="The garment's type, read from the photo (detection.models.garment_names)."
    )
    article_score = models.FloatField(null=True, blank=True, help_text="The probability of that type's classes.")
    colour_name = models.CharField(
        max_length=40, blank=True, help_text="The garment's colour as the catalog names colours, read from the photo."
    )
    # The shopper corrected what was read: the results follow their word (embeddings.ranking).
    type_chosen = models.BooleanField(default=False, help_text="The shopper chose the article type.")
    colour_chosen = models.BooleanField(default=False, help_text="The shopper chose the colour.")

    class Meta:
        ordering = ["look", "id"]

    def __str__(self) -> str:
        return f"{self.get_category_display()} in {self.look}"

    @property
    def box(self) -> tuple[float, float, float, float]:
        return (self.x1, self.y1, self.x2, self.y2)

    def embedding(self) -> np.ndarray:
        return from_bytes("vector", self.vector)

    def worn_colours(self) -> np.ndarray | None:
        """The garment's colours as worn, or None for an item stored before colours were read."""
        return from_bytes("colours", self.colours) if len(self.colours) else None

    def worn_classes(self) -> np.ndarray | None:
        """The ImageNet classifier's probabilities for the garment, or None for an item stored before they were kept."""
        return from_bytes("classes", self.classes) if len(self.classes) else None


class Recommendation(models.Model):
    item = models.ForeignKey(LookItem, related_name="recommendations", on_delete=models.CASCADE)
    product = models.ForeignKey(Product, related_name="recommendations", on_delete=models.CASCADE)
    rank = models.PositiveSmallIntegerField()
    similarity = models.FloatField()
    exact = models.BooleanField(
        default=False, help_text="Similar enough, and far enough ahead of the next, to be the very product."
    )

    class Meta:
        ordering = ["item", "rank"]
        constraints = [models.UniqueConstraint(fields=["item", "rank"], name="recommendation_unique_rank")]

    def __str__(self) -> str:
        return f"#{self.rank} {self.product} for {self.item}"


class Complement(models.Model):
    """A product suggested to complete the look: of a category, ranked by how well it goes with the garments worn."""

    look = models.ForeignKey(Look, related_name="complements", on_delete=models.CASCADE)
    category = models.CharField(max_length=taxonomy.MAX_NAME, choices=category_choices)
    product = models.ForeignKey(Product, related_name="complements", on_delete=models.CASCADE)
    rank = models.PositiveSmallIntegerField()
    score = models.FloatField(help_text="The compatibility model's score with the garments worn (higher goes better).")

    class Meta:
        ordering = ["look", "category", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["look", "category", "rank"], name="complement_unique_rank"),
        ]

    def __str__(self) -> str:
        return f"#{self.rank} {self.category} {self.product} for {self.look_id}"


class Feedback(models.Model):
    """A staff member's verdict on one recommendation (one per reviewer)."""

    class Reason(models.TextChoices):
        EXACT = "exact", "Same product"
        STYLE = "style", "Same style"
        COLOUR = "colour", "Wrong colour"
        PATTERN = "pattern", "Wrong pattern"
        TYPE = "type", "Wrong article type"
        GENDER = "gender", "Wrong gender"
        OTHER = "other", "Other"

    recommendation = models.ForeignKey(Recommendation, related_name="feedback", on_delete=models.CASCADE)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    relevant = models.BooleanField(help_text="Thumbs up.")
    reason = models.CharField(max_length=8, choices=Reason.choices, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["recommendation", "reviewer"], name="feedback_one_per_reviewer")]

    def __str__(self) -> str:
        return f"{'👍' if self.relevant else '👎'} {self.recommendation}"
