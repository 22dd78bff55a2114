"""The six gender x category partitions the catalog is searched in."""

from __future__ import annotations

from dataclasses import dataclass

from .models import Category, Gender, Product
from .taxonomy import CATEGORY_NAMES, SHOPPER_GENDERS


@dataclass(frozen=True)
class Partition:
    gender: str
    category: str

    @property
    def label(self) -> str:
        return f"{Gender(self.gender).label} {Category(self.category).label}"


PARTITIONS: tuple[Partition, ...] = tuple(Partition(g, c) for g in SHOPPER_GENDERS for c in CATEGORY_NAMES)


def partition_sizes() -> list[tuple[Partition, int]]:
    """Each searchable partition with the number of products in it (unisex counted in both)."""
    counts = Product.objects.partition_counts()
    sizes = []
    for part in PARTITIONS:
        n = counts.get((part.gender, part.category), 0)
        n += counts.get((Gender.UNISEX, part.category), 0)
        sizes.append((part, n))
    return sizes
