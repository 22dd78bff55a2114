"""The catalog runs on a real PostgreSQL when DATABASE_URL points at one."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from shopthelook.postgres_server import pgvector_postgres_bindir, start_postgres
from shopthelook.servers import free_port, stop

ROOT = Path(__file__).resolve().parent.parent.parent
pytestmark = pytest.mark.slow

SCRIPT = """
import django
django.setup()
from django.core.management import call_command
from django.db import connection
from catalog.ingest import upsert_product
from catalog.models import Product
from tests.catalog.factories import record

call_command("migrate", verbosity=0)
first, created = upsert_product(record("P1", "unisex", "footwear"))
again, created_again = upsert_product(record("P1", "unisex", "footwear", title="Renamed"))
print(connection.vendor, created, created_again, first.pk == again.pk, Product.objects.count(),
      Product.objects.in_partition("women", "footwear").get().title)
"""


def test_migrate_and_ingest_on_postgresql(tmp_path):
    workdir = Path(tempfile.mkdtemp(prefix="stl-pg-"))  # readable by the postgres user
    proc, url = start_postgres(free_port(), workdir)
    try:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "shopthelook.settings.test",
            "DATABASE_URL": url,
            "DJANGO_MEDIA_ROOT": str(tmp_path),
        }
        out = subprocess.run(
            [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
        )
        assert out.returncode == 0, out.stderr[-2000:]
        assert out.stdout.split() == ["postgresql", "True", "False", "True", "1", "Renamed"]
    finally:
        stop(proc)
        subprocess.run(["rm", "-rf", str(workdir)], check=False)


PGVECTOR_SCRIPT = """
import threading
import django
django.setup()
from django.core.management import call_command
from django.db import connection
from catalog.search import catalog_index
from catalog.product_vectors import embed_products
from catalog.models import Product
from tests.shopthelook.demo_catalog import demo_products, ingest

call_command("migrate", verbosity=0)
stored = ingest(demo_products()[:24])
embed_products([p.pk for p in stored.values()])
index = catalog_index()  # the shared table, written through: nothing is built here
shirt = next(p for p in stored.values() if (p.gender, p.category) == ("men", "topwear"))
vector = shirt.embedding.vectors()[0]
found = lambda k=50: [h.id for h in index.search(vector, k, ["men"], "topwear", refresh=False)]
first = found(3)[0] == shirt.pk
Product.objects.filter(pk=shirt.pk).update(in_stock=False)  # a queryset update sends no signal...
Product.objects.get(pk=shirt.pk).save()  # ...the scraper and admin save the row, which writes through
out_of_stock = shirt.pk not in found()
Product.objects.filter(pk=shirt.pk).update(in_stock=True)
Product.objects.get(pk=shirt.pk).save()
back = found(3)[0] == shirt.pk

# A writer re-embeds the partition over and over while a reader searches it: never fewer rows.
tops = [p.pk for p in stored.values() if p.category == "topwear" and p.gender in ("men", "unisex")]
expected, counts, done = len(found()), [], threading.Event()
def write():
    for _ in range(6):
        embed_products(tops, force=True)
    connection.close()
    done.set()
writer = threading.Thread(target=write)
writer.start()
while not done.is_set():
    counts.append(len(found()))
writer.join()
connection.close()
Product.objects.filter(pk=shirt.pk).delete()
gone = shirt.pk not in found()
print(type(index).__name__, first, out_of_stock, back, expected == len(tops), len(counts) > 5, min(counts) == expected,
      gone, len(index))
"""


def test_the_vector_index_runs_on_pgvector(tmp_path):
    workdir = Path(tempfile.mkdtemp(prefix="stl-pgv-"))
    proc, url = start_postgres(free_port(), workdir, pgvector_postgres_bindir())
    try:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "shopthelook.settings.test",
            "DATABASE_URL": url,
            "DJANGO_MEDIA_ROOT": str(tmp_path),
            "VECTOR_INDEX": "pgvector",
        }
        out = subprocess.run(
            [sys.executable, "-c", PGVECTOR_SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert out.returncode == 0, out.stderr[-2000:]
        last = out.stdout.split()[-9:]
        assert last == ["SharedCatalogIndex", *["True"] * 7, "23"], out.stdout[-500:]
    finally:
        stop(proc)
        subprocess.run(["rm", "-rf", str(workdir)], check=False)
