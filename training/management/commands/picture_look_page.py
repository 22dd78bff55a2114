"""`manage.py picture_look_page`: the README's picture of the look page, taken in headless Chromium."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path
from shutil import rmtree

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from catalog.models import ProductEmbedding
from scraper.browser import open_browser
from shopthelook.management.commands.runstack import web_command
from shopthelook.models import Look
from shopthelook.servers import free_port, start_celery_worker, start_redis, stop, wait_for_http
from synthetic.designs import generate_catalog
from training.bench import photos

ROOT = Path(__file__).resolve().parents[3]


class Command(BaseCommand):
    help = "Upload a rendered photo of the demo catalog through the page and save a picture of its look page."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images" / "look-page.png")
        parser.add_argument("--seed", type=int, default=41, help="which rendered photo")
        parser.add_argument("--width", type=int, default=1280)
        parser.add_argument("--max-height", type=int, default=1400)

    def handle(self, *args, **opts) -> None:
        if not ProductEmbedding.objects.exists():
            raise CommandError("the catalog has no product vectors: run `make run` or `make demo-catalog` first")
        products = generate_catalog(settings.DEMO_STORE_PRODUCTS, settings.DEMO_STORE_SEED)
        workdir = Path(tempfile.mkdtemp(prefix="stl-picture-"))
        photo = workdir / "outfit.jpg"
        photos(1, products=products, seed=opts["seed"])[0].save(photo, "JPEG", quality=92)
        redis_port, web_port = free_port(), free_port()
        env = {"REDIS_URL": f"redis://127.0.0.1:{redis_port}/0"}
        redis = worker = web = None
        try:
            redis = start_redis(redis_port, workdir)
            worker = start_celery_worker(env, concurrency=1, log_level="WARNING")
            # The development server: it serves the static files and the stored photos itself.
            web = subprocess.Popen(
                [*web_command(web_port, dev=True), "--noreload"],
                cwd=ROOT,
                env={**os.environ, **env},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            url = f"http://127.0.0.1:{web_port}"
            wait_for_http(url + "/healthz", web)
            look_id = self._picture(url, photo, opts)
        finally:
            for proc in (web, worker, redis):
                stop(proc)
            rmtree(workdir, ignore_errors=True)
        look = Look.objects.filter(pk=look_id).first()
        if look is not None:  # the picture is all that was wanted of it
            look.photo.delete(save=False)
            look.delete()
        self.stdout.write(f"wrote {opts['out']}")

    @staticmethod
    def _picture(url: str, photo: Path, opts: dict) -> str:
        with open_browser(
            ("127.0.0.1",), chromium=settings.CHROMIUM_BINARY, chromedriver=settings.CHROMEDRIVER_BINARY, images=True
        ) as browser:
            driver, wait = browser.driver, WebDriverWait(browser.driver, 120)
            driver.set_window_size(opts["width"], 900)
            driver.get(url + "/")
            driver.find_element(By.ID, "photo").send_keys(str(photo))
            wait.until(ec.visibility_of_element_located((By.ID, "preview")))
            driver.find_element(By.ID, "submit").click()
            wait.until(ec.url_contains("/looks/"))
            wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#look[data-status=done] .item")))
            # Every product photo drawn before the picture is taken.
            wait.until(lambda d: d.execute_script("return [...document.images].every(i => i.complete)"))
            height = driver.execute_script("return document.documentElement.scrollHeight")
            driver.set_window_size(opts["width"], min(int(height), opts["max_height"]))
            opts["out"].parent.mkdir(parents=True, exist_ok=True)
            if not driver.save_screenshot(str(opts["out"])):
                raise CommandError("Chromium could not take the picture")
            return driver.current_url.rstrip("/").rsplit("/", 1)[-1]
