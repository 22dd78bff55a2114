"""The fault drill: each fault the app must survive, brought about for real, and what was lost in it.

Every scenario runs the app's own code on rows it creates, in a throwaway database, and checks that
nothing a shopper or an admin made was lost. `manage.py fault_drill` prints the table; a row that
lost something fails the command.
"""

from __future__ import annotations

import io
import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image


@dataclass(frozen=True)
class Outcome:
    fault: str
    what_happened: str
    lost: list[str]  # what should have survived and did not; empty when nothing was lost


def _jpeg(size: tuple[int, int], colour: str = "navy") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


def _finished_look(**fields):
    from shopthelook.models import Look

    look = Look(status=Look.Status.DONE, width=240, height=360, finished=timezone.now(), attempts=1, **fields)
    look.photo.save("drill.jpg", ContentFile(_jpeg((240, 360))), save=False)
    look.save()
    return look


def sweep_on_a_rematched_look() -> Outcome:
    """A finished look the shopper is changing (a box drawn) outlives the stale-look cut-off."""
    from shopthelook.lifecycle import stale_looks
    from shopthelook.models import Look, LookItem

    look = _finished_look()
    drawn = LookItem.objects.create(
        look=look, category="topwear", source=LookItem.Source.SHOPPER, x1=0, y1=0, x2=90, y2=90
    )
    hour_ago = timezone.now() - timezone.timedelta(hours=1)
    Look.objects.filter(pk=look.pk).update(created=hour_ago, status=Look.Status.MATCHING, changed=hour_ago)
    requeued = stale_looks(settings.LOOK_STALE_SECONDS, settings.LOOK_MAX_ATTEMPTS)
    look.refresh_from_db()
    lost = []
    if look.pk in requeued:
        lost.append("queued for a full analysis, which replaces the drawn boxes")
    if not LookItem.objects.filter(pk=drawn.pk).exists():
        lost.append("the drawn box")
    if look.status != Look.Status.DONE:
        lost.append(f"the look is left {look.status}")
    return Outcome(
        "the stale-look sweep meets a finished look being re-matched",
        f"not analysed again; the look is {look.status} with its drawn box, and says the change did not finish",
        lost,
    )


def failing_rematch() -> Outcome:
    """A gender switch whose re-match raises (an item's stored vector is unreadable)."""
    from catalog.models import Gender, Product
    from shopthelook.models import Look, LookItem, Recommendation
    from shopthelook.tasks import rematch_look

    look = _finished_look(gender_choice=Look.GenderChoice.MEN, searched_genders="men")
    product = Product.objects.create(
        source="drill", external_id="P1", url="http://127.0.0.1/p1", title="Drill tee", gender=Gender.MEN,
        category="topwear", price=Decimal("10"), last_seen=timezone.now(),
    )  # fmt: skip
    item = LookItem.objects.create(look=look, category="topwear", vector=b"\x00\x01\x02", x1=0, y1=0, x2=90, y2=90)
    Recommendation.objects.create(item=item, product=product, rank=1, similarity=0.9)
    Look.objects.filter(pk=look.pk).update(status=Look.Status.MATCHING, gender_choice=Look.GenderChoice.WOMEN)
    rematch_look(str(look.pk), Look.GenderChoice.WOMEN, Look.GenderChoice.MEN)  # the task, run here
    look.refresh_from_db()
    lost = []
    if look.status != Look.Status.DONE:
        lost.append(f"the look is left {look.status}")
    if not Recommendation.objects.filter(item=item).exists():
        lost.append("the results from before the change")
    if look.gender_choice != Look.GenderChoice.MEN:
        lost.append("the gender the results are for")
    return Outcome(
        "a re-match raises (gender switch)",
        f"the look is {look.status} with the results it had ({Recommendation.objects.filter(item=item).count()}), "
        f"the gender back to {look.gender_choice}, and the page says the change could not be made",
        lost,
    )


def killed_scrape() -> Outcome:
    """A scrape whose worker was SIGKILLed: its run says "running" and never saves progress again."""
    from scraper.models import ScrapeRun
    from scraper.tasks import sweep_lost_scrapes

    silent_since = timezone.now() - timezone.timedelta(seconds=2 * settings.SCRAPE_STALE_SECONDS)
    run = ScrapeRun.objects.create(
        profile="demo", status=ScrapeRun.Status.RUNNING, started_at=silent_since, heartbeat=silent_since,
        worker="scrape@killed", products_new=12,
    )  # fmt: skip
    sweep_lost_scrapes()
    run.refresh_from_db()
    lost = [] if run.status == ScrapeRun.Status.FAILED and run.products_new == 12 else [f"the run is {run.status}"]
    return Outcome("a scrape's worker is SIGKILLed", f"the sweep closed the run: {run.message}", lost)


def delete_during_embedding() -> Outcome:
    """An admin deletes a product while the ingest worker reads its photos."""
    from catalog import product_vectors
    from catalog.ingest import ImageBlob, ProductRecord, upsert_product
    from catalog.models import Product, ProductEmbedding

    blobs = tuple(
        ImageBlob(_jpeg((128, 160), colour), f"http://127.0.0.1/{colour}.jpg", 128, 160, "front")
        for colour in ("red", "blue")
    )
    record = ProductRecord(
        source="drill", external_id="D1", url="http://127.0.0.1/d1", title="Drill shirt", gender="men",
        category="topwear", brand="Drill", price=Decimal("10"), images=blobs,
    )  # fmt: skip
    doomed, _ = upsert_product(record)
    kept, _ = upsert_product(ProductRecord(**{**record.__dict__, "external_id": "D2", "url": "http://127.0.0.1/d2"}))
    read = product_vectors._read_photo

    def read_then_deleted(image):
        out = read(image)
        Product.objects.filter(pk=doomed.pk).delete()  # the admin's delete lands meanwhile
        return out

    errors = []
    with mock.patch.object(product_vectors, "_read_photo", read_then_deleted):
        try:
            report = product_vectors.embed_products([doomed.pk])
        except Exception as exc:  # the defect this drill guards against: an IntegrityError
            errors.append(f"{type(exc).__name__}: {exc}")
            report = None
    others = product_vectors.embed_products([kept.pk])
    lost = [f"the batch failed: {e}" for e in errors]
    if ProductEmbedding.objects.filter(product_id=doomed.pk).exists():
        lost.append("an orphan vector row")
    if others.done != 1:
        lost.append("the other product's vector")
    gone = report.gone if report else []
    return Outcome(
        "an admin deletes a product while it is embedded",
        f"skipped as gone ({len(gone)}), no orphan row; the next product embedded as usual",
        lost,
    )


def retrained_embedder() -> Outcome:
    """The embedder is retrained and shipped, the compatibility model not yet."""
    from detection.registry import WEIGHTS_DIR, ModelFileError, ShippedModel
    from embeddings.compatibility import CompatibilityModel
    from shopthelook import completion

    with tempfile.TemporaryDirectory() as tmp:
        weights = Path(tmp)
        manifest = json.loads((WEIGHTS_DIR / "manifest.json").read_text())
        manifest["models"]["embedder"]["sha256"] = "0" * 64  # another embedder than the one it was trained on
        (weights / "manifest.json").write_text(json.dumps(manifest))
        shutil.copy(WEIGHTS_DIR / manifest["models"]["compatibility"]["file"], weights)
        stale = ShippedModel("compatibility", CompatibilityModel.from_entry, weights)
        refused = ""
        try:
            stale()
        except ModelFileError as exc:
            refused = str(exc)
        with mock.patch.object(completion, "compatibility", stale):
            used = completion.loaded_model()  # what complete the look ranks with: none
    lost = [] if refused and used is None else ["complete the look scored features its model never saw"]
    return Outcome(
        "the embedder is retrained, complete the look's model is not",
        "the model is refused at load and complete the look offers nothing until it is retrained "
        "(the look's own results are unaffected)",
        lost,
    )


SCENARIOS: tuple[Callable[[], Outcome], ...] = (
    sweep_on_a_rematched_look,
    failing_rematch,
    killed_scrape,
    delete_during_embedding,
    retrained_embedder,
)


def table(outcomes: list[Outcome]) -> str:
    """The drill's Markdown table: each fault, what the app did, and what was lost."""
    lines = ["| fault | what the app did | lost |", "| --- | --- | --- |"]
    for o in outcomes:
        lines.append(f"| {o.fault} | {o.what_happened} | {'; '.join(o.lost) or 'nothing'} |")
    return "\n".join(lines)
