"""Product and vector changes written through to the shared pgvector index (a no-op with FAISS)."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Product, ProductEmbedding
from .vector_store import write_through


@receiver(post_save, sender=ProductEmbedding)
@receiver(post_delete, sender=ProductEmbedding)
@receiver(post_save, sender=Product)
def _write_through(sender, instance, **kwargs) -> None:
    # On the saving transaction: a product out of stock, moved, re-embedded or deleted is searched
    # as such by every worker at once, with no rebuild (a deleted product's vectors go with it).
    write_through([instance.pk])  # nothing with FAISS
