"""The fault drill brings each fault about for real, loses nothing, and would say so if it did."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from catalog import product_vectors
from training.fault_drill import SCENARIOS, delete_during_embedding

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.__name__ for s in SCENARIOS])
def test_each_fault_loses_nothing(scenario):
    outcome = scenario()
    assert outcome.lost == [], outcome


@pytest.mark.django_db(transaction=True)
def test_the_drill_names_what_is_lost_when_a_guard_is_missing(monkeypatch):
    # given: the embedder's check that the product still exists, taken away
    class StillThere:
        objects = property(lambda self: self)

        def select_for_update(self):
            return self

        def filter(self, **kwargs):
            return self

        def exists(self):
            return True

    monkeypatch.setattr(product_vectors, "Product", StillThere())
    # then the drill reports the batch failing on the orphan row
    assert any("IntegrityError" in lost for lost in delete_during_embedding().lost)


def test_the_command_prints_a_row_per_fault_in_a_database_of_its_own(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shopthelook.settings.dev",
        "SHOPTHELOOK_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'app.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "fault_drill"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert len(rows) == len(SCENARIOS) and all(row.endswith("| nothing |") for row in rows), result.stdout
    assert not (tmp_path / "app.sqlite3").exists() or (tmp_path / "app.sqlite3").stat().st_size == 0
