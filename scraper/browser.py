"""The Selenium browser factory and page fetcher: the project's only Selenium import."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from shutil import rmtree

from selenium import webdriver
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from .hosts import require_allowed

logger = logging.getLogger(__name__)

# Chromium's own background traffic (updates, sync, safe browsing) is switched off: offline, it only waits.
QUIET_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-extensions",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--no-pings",
    "--disable-quic",
    "--window-size=1280,1600",
)
# Photos are downloaded and checked by the scraper itself; the browser need not fetch them.
NO_IMAGES = "--blink-settings=imagesEnabled=false"


class PageLoadError(Exception):
    """A page did not load, or did not show the element the profile waits for, in time."""


def resolver_rules(allowed_hosts: tuple[str, ...]) -> str:
    """Host rules under which Chromium can resolve only the profile's hosts and loopback."""
    excluded = {"localhost", "127.0.0.1", *allowed_hosts}
    return "MAP * ~NOTFOUND , " + " , ".join(f"EXCLUDE {h}" for h in sorted(excluded))


def chrome_options(
    allowed_hosts: tuple[str, ...], user_data_dir: Path, binary: str, images: bool = False
) -> webdriver.ChromeOptions:
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in QUIET_FLAGS if images else (*QUIET_FLAGS, NO_IMAGES):
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={user_data_dir}")
    options.add_argument(f"--host-resolver-rules={resolver_rules(allowed_hosts)}")
    options.page_load_strategy = "eager"
    return options


class Browser:
    """Loads pages of one site and hands back their rendered HTML."""

    def __init__(self, driver: webdriver.Chrome, allowed_hosts: tuple[str, ...], timeout: float):
        self.driver = driver
        self.allowed_hosts = allowed_hosts
        self.timeout = timeout

    def page_html(self, url: str, wait_for: str) -> str:
        """The DOM of `url` once `wait_for` (a CSS selector) is present, after scripts ran."""
        require_allowed(url, self.allowed_hosts)
        try:
            self.driver.get(url)
            WebDriverWait(self.driver, self.timeout).until(ec.presence_of_element_located((By.CSS_SELECTOR, wait_for)))
            require_allowed(self.driver.current_url, self.allowed_hosts)
            return self.driver.page_source
        except TimeoutException as exc:
            raise PageLoadError(f"{url}: {wait_for!r} did not appear within {self.timeout:.0f}s") from exc
        except WebDriverException as exc:
            raise PageLoadError(f"{url}: {exc.msg or exc.__class__.__name__}") from exc


@contextmanager
def open_browser(
    allowed_hosts: tuple[str, ...],
    timeout: float = 20.0,
    chromium: str = "/usr/bin/chromium",
    chromedriver: str = "/usr/bin/chromedriver",
    images: bool = False,
) -> Iterator[Browser]:
    """A headless Debian Chromium, confined to `allowed_hosts`, closed on exit (images off unless asked)."""
    for path in (chromium, chromedriver):
        if not Path(path).exists():
            raise PageLoadError(f"{path} is missing: install the Debian packages chromium and chromium-driver")
    profile_dir = Path(tempfile.mkdtemp(prefix="stl-chromium-"))
    driver = webdriver.Chrome(
        service=Service(executable_path=chromedriver),
        options=chrome_options(allowed_hosts, profile_dir, chromium, images),
    )
    driver.set_page_load_timeout(timeout)
    try:
        yield Browser(driver, allowed_hosts, timeout)
    finally:
        driver.quit()
        rmtree(profile_dir, ignore_errors=True)
