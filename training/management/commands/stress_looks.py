"""`manage.py stress_looks`: bursts of looks through a whole fleet on 127.0.0.1, with its parts killed and restarted."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from synthetic.designs import generate_catalog
from training.bench import percentile, photos
from training.fleet import ROOT, Fleet

SCENARIOS = ("burst", "worker-kill", "redis-restart", "postgres-restart", "scrape-load", "scrape-kill")
FINISHED = ("done", "failed")
SEED_PER_CATEGORY = 20  # the catalog the fleet starts with; the scrape scenarios fill the store's 600


def _summary(seconds: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {"p50_ms": round(percentile(ms, 50)), "p95_ms": round(percentile(ms, 95))} if ms else {}


class Command(BaseCommand):
    help = "Load and fault runs on a fleet of real processes: every look must end done, no product duplicated."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scenarios", default=",".join(SCENARIOS))
        parser.add_argument("--looks", type=int, default=200, help="looks per burst")
        parser.add_argument("--fault-after", type=int, default=50, help="looks done before the fault strikes")
        parser.add_argument("--sequential", type=int, default=30, help="one-at-a-time looks, idle and during a scrape")
        parser.add_argument("--workers", type=int, default=2, help="looks workers")
        parser.add_argument("--scrape-per-category", type=int, default=100, help="the scrapes' size (6 categories)")
        parser.add_argument("--timeout", type=float, default=900, help="seconds a burst may take")
        parser.add_argument("--out", default="reports/stress")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **opts) -> None:
        scenarios = opts["scenarios"].split(",")
        if set(scenarios) - set(SCENARIOS):
            raise CommandError(f"choose scenarios from {', '.join(SCENARIOS)}")
        products = generate_catalog(600, 7)
        jpegs = []
        for image in photos(40, products=products, seed=4242):
            buf = io.BytesIO()
            image.save(buf, "JPEG", quality=90)
            jpegs.append(buf.getvalue())
        fleet = Fleet(looks_workers=opts["workers"])
        report: dict = {"looks_workers": opts["workers"], "cores": os.cpu_count()}
        try:
            self.stdout.write(f"starting the fleet in {fleet.workdir} (PostgreSQL, Redis, gunicorn, workers, beat)")
            fleet.start(SEED_PER_CATEGORY)
            self._sequential(fleet, jpegs[:3])  # the workers load their models
            faults: dict[str, Callable[[Fleet], None] | None] = {
                "burst": None,
                "worker-kill": _kill_worker,
                "redis-restart": _restart_redis,
                "postgres-restart": _restart_postgres,
            }
            for name in scenarios:
                self.stdout.write(f"— {name}")
                if name in faults:
                    report[name] = self._burst(fleet, jpegs, opts, faults[name])
                elif name == "scrape-load":
                    report[name] = self._scrape_load(fleet, jpegs, opts["sequential"], opts["scrape_per_category"])
                else:
                    report[name] = self._scrape_kill(fleet, opts["scrape_per_category"])
                self.stdout.write(json.dumps(report[name]))
        finally:
            fleet.stop()
        out = Path(opts["out"])
        out.mkdir(parents=True, exist_ok=True)
        (out / "stress.json").write_text(json.dumps(report, indent=2))
        self.stdout.write(json.dumps(report) if opts["json"] else self._table(report))
        lost = sum(r.get("lost", 0) for r in report.values() if isinstance(r, dict))
        broken = sum(r.get("duplicates", 0) + r.get("half_written", 0) for r in report.values() if isinstance(r, dict))
        if lost or broken:
            raise CommandError(f"{lost} looks lost, {broken} products duplicated or half-written")

    # --- scenarios -------------------------------------------------------------------------------
    def _burst(self, fleet: Fleet, jpegs: list[bytes], opts: dict, fault: Callable[[Fleet], None] | None) -> dict:
        t0 = time.time()
        ids = [fleet.post_look(jpegs[i % len(jpegs)]) for i in tqdm(range(opts["looks"]), desc="post", unit="look")]
        posted_s = time.time() - t0
        fault_window: tuple[float, float] | None = None
        done_at_fault = 0
        deadline = time.monotonic() + opts["timeout"]
        bar = tqdm(total=len(ids), desc="done", unit="look")
        states: dict = {}
        while time.monotonic() < deadline:
            try:
                states = fleet.look_states(ids)
            except Exception:  # the database is down: the fault being measured
                time.sleep(0.5)
                continue
            finished = sum(s in FINISHED for s, _ in states.values())
            bar.update(finished - bar.n)
            if fault is not None and fault_window is None and finished >= opts["fault_after"]:
                start = time.time()
                fault(fleet)
                fault_window, done_at_fault = (start, time.time()), finished
            if finished == len(ids):
                break
            time.sleep(0.2)
        bar.close()
        done = [s for status, s in states.values() if status == "done"]
        result = {
            "looks": len(ids),
            "posted_s": round(posted_s, 1),
            "done": len(done),
            "failed": sum(status == "failed" for status, _ in states.values()),
            "lost": len(ids) - len(done),
            "wall_s": round(time.time() - t0, 1),
            **_summary(done),
        }
        if fault_window is not None:
            start, end = fault_window
            sql = "SELECT EXTRACT(EPOCH FROM min(finished)) FROM shopthelook_look WHERE finished > to_timestamp(%s)"
            first = fleet.query(sql, [end])[0][0]
            result["done_at_fault"] = done_at_fault
            result["fault_s"] = round(end - start, 1)
            result["recovered_s"] = round(float(first) - start, 1) if first is not None else None
        return result

    def _sequential(self, fleet: Fleet, jpegs: list[bytes], while_: Callable[[], bool] | None = None) -> list[float]:
        """Looks one at a time, each waited for; stops early once `while_` says the background work ended."""
        seconds = []
        for jpeg in jpegs:
            if while_ is not None and not while_():
                break
            look = fleet.post_look(jpeg)
            while True:
                status, s = fleet.look_states([look])[look]
                if status in FINISHED:
                    break
                time.sleep(0.02)
            if status == "done":
                seconds.append(s)
        return seconds

    def _scrape_load(self, fleet: Fleet, jpegs: list[bytes], count: int, per_category: int) -> dict:
        idle = self._sequential(fleet, [jpegs[i % len(jpegs)] for i in range(count)])
        before = fleet.query("SELECT count(*) FROM catalog_product")[0][0]
        # As an admin starts one from Django admin: a ScrapeRun, queued to the scrape worker.
        fleet.manage(
            "shell",
            "-c",
            "from scraper.models import ScrapeRun; from scraper.tasks import scrape_catalog_task; "
            f"run = ScrapeRun.objects.create(profile='demo', max_per_category={per_category}); "
            "scrape_catalog_task.delay(run.pk)",
        )

        def scraping() -> bool:
            """The scrape runs, or the ingest worker still embeds what it stored."""
            running = fleet.query("SELECT count(*) FROM scraper_scraperun WHERE status IN ('queued', 'running')")
            unembedded = fleet.query(
                "SELECT count(*) FROM catalog_product p WHERE NOT EXISTS "
                "(SELECT 1 FROM catalog_productembedding e WHERE e.product_id = p.id)"
            )
            return running[0][0] > 0 or unembedded[0][0] > 0

        busy = self._sequential(fleet, [jpegs[i % len(jpegs)] for i in range(count * 3)], scraping)
        deadline = time.monotonic() + 900
        while scraping() and time.monotonic() < deadline:  # the next scenario empties the catalog
            time.sleep(1)
        after = fleet.query("SELECT count(*) FROM catalog_product")[0][0]
        idle_s, busy_s = _summary(idle), _summary(busy)
        return {
            "idle": idle_s,
            "during_scrape": busy_s,
            "looks_during_scrape": len(busy),
            "products_before": before,
            "products_after": after,
            "p95_ratio": round(busy_s["p95_ms"] / idle_s["p95_ms"], 2) if busy and idle else None,
        }

    def _scrape_kill(self, fleet: Fleet, per_category: int) -> dict:
        """An empty catalog, a scrape killed (with its Chromium) once half the products are in, then run again."""
        _empty_catalog(fleet)
        cmd = [
            sys.executable,
            "manage.py",
            "scrape_catalog",
            "--profile",
            "demo",
            "--max-per-category",
            str(per_category),
        ]
        first = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=fleet._child_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own group: the kill takes its Chromium with it
        )
        deadline = time.monotonic() + 600
        half = 3 * per_category
        while fleet.query("SELECT count(*) FROM catalog_product")[0][0] < half and time.monotonic() < deadline:
            if first.poll() is not None:
                raise CommandError("the scrape ended before it could be killed")
            time.sleep(0.2)
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
        killed_at = self._integrity(fleet)
        t0 = time.time()
        fleet.manage(*cmd[2:])
        after = self._integrity(fleet)
        embedded = fleet.query("SELECT count(DISTINCT product_id) FROM catalog_productembedding")[0][0]
        return {
            "products_when_killed": killed_at["products"],
            "half_written_when_killed": killed_at["half_written"],
            "products_after_rerun": after["products"],
            "rerun_s": round(time.time() - t0, 1),
            "duplicates": killed_at["duplicates"] + after["duplicates"],
            "half_written": killed_at["half_written"] + after["half_written"],
            "embedded_after_rerun": embedded,
        }

    @staticmethod
    def _integrity(fleet: Fleet) -> dict:
        """Products, duplicate (source, id) pairs, and products without every photo row and file."""
        products = fleet.query("SELECT count(*) FROM catalog_product")[0][0]
        duplicates = fleet.query("SELECT count(*) - count(DISTINCT (source, external_id)) FROM catalog_product")[0][0]
        no_photos = fleet.query(
            "SELECT count(*) FROM catalog_product p WHERE NOT EXISTS "
            "(SELECT 1 FROM catalog_productimage i WHERE i.product_id = p.id)"
        )[0][0]
        media = fleet.workdir / "data" / "media"
        files = fleet.query("SELECT DISTINCT product_id, image FROM catalog_productimage")
        missing = {pid for pid, name in files if not (media / name).is_file()}
        return {"products": products, "duplicates": duplicates, "half_written": no_photos + len(missing)}

    @staticmethod
    def _table(report: dict) -> str:
        lines = [f"{report['looks_workers']} looks workers on {report['cores']} cores"]
        for name, r in report.items():
            if isinstance(r, dict):
                lines.append(f"  {name:17} " + "  ".join(f"{k} {v}" for k, v in r.items()))
        return "\n".join(lines)


def _kill_worker(fleet: Fleet) -> None:
    """A looks worker dies (SIGKILL, mid-look); its container's restart policy brings it back."""
    fleet.kill("looks-worker-0", signal.SIGKILL)
    time.sleep(2)
    fleet.start_looks_worker(0)


def _restart_redis(fleet: Fleet) -> None:
    """The broker restarts, as `docker compose restart redis` does: SIGTERM, then up again on its append-only file."""
    fleet.kill("redis", signal.SIGTERM)
    fleet.start_redis()


def _restart_postgres(fleet: Fleet) -> None:
    """The database restarts (a fast shutdown: open sessions are cut), holding the pgvector index."""
    fleet.restart_postgres()


def _empty_catalog(fleet: Fleet, attempts: int = 3) -> None:
    """Delete every product. The ingest worker may be writing product rows meanwhile (its sweep
    re-embeds the catalog after each restart), and PostgreSQL then aborts one of the two
    transactions as a deadlock: that one is tried again, as any client of a deadlock must."""
    for attempt in range(1, attempts + 1):
        try:
            fleet.manage("shell", "-c", "from catalog.models import Product; Product.objects.all().delete()")
            return
        except RuntimeError as exc:
            if "deadlock detected" not in str(exc) or attempt == attempts:
                raise
            time.sleep(1)
