"""End to end in headless Chromium: upload a photo, see boxes and recommendations, switch gender, draw a box."""

import pytest
from django.conf import settings
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

from catalog.product_vectors import embed_products
from scraper.browser import open_browser
from shopthelook.models import LookItem
from tests.shopthelook.demo_catalog import demo_products, ingest, scene

pytestmark = pytest.mark.slow


@pytest.fixture
def catalog(transactional_db):
    products = demo_products()
    stored = ingest(products)
    embed_products([p.pk for p in stored.values()])
    return products


@pytest.fixture
def browser():
    with open_browser(("127.0.0.1",), chromium=settings.CHROMIUM_BINARY, images=True) as b:
        yield b.driver


def cards_titles(driver, item) -> list[str]:
    return [c.find_element(By.CSS_SELECTOR, ".title").text for c in item.find_elements(By.CSS_SELECTOR, ".card")]


def upload_from_the_page(browser, live_server, photo, wait) -> None:
    """Pick `photo` with the upload page's file picker, send it, and wait for the look to be done."""
    browser.get(live_server.url + "/")
    browser.find_element(By.ID, "photo").send_keys(str(photo))
    wait.until(ec.visibility_of_element_located((By.ID, "preview")))
    browser.find_element(By.ID, "submit").click()
    wait.until(ec.url_contains("/looks/"))
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#look[data-status=done] .item")))


def test_a_shopper_uploads_a_photo_and_refines_the_results(live_server, celery_worker, catalog, browser, tmp_path):
    # given: a lookbook photo of a man, saved where the file picker can reach it
    shot = scene(catalog, "men", 41)
    photo = tmp_path / "outfit.jpg"
    shot.image.save(photo, "JPEG", quality=92)
    wait = WebDriverWait(browser, 60)

    # when: the shopper picks it on the upload page and sends it
    # then: the look page follows the analysis to the end without a reload
    upload_from_the_page(browser, live_server, photo, wait)
    assert browser.find_elements(By.CSS_SELECTOR, "#progress li.reached")[-1].text == "Done"
    boxes = browser.find_elements(By.CSS_SELECTOR, "#boxes .box:not(.person)")
    items = browser.find_elements(By.CSS_SELECTOR, "#items .item")
    assert len(boxes) == len(items) >= 2
    for item in items:
        assert item.find_element(By.CSS_SELECTOR, ".crop")
        assert 1 <= len(item.find_elements(By.CSS_SELECTOR, ".card")) <= 8
        labels = {e.text for e in item.find_elements(By.CSS_SELECTOR, ".card .label")}
        assert labels <= {"exact match", "similar style"}
    assert browser.find_element(By.ID, "gender-seen").text

    # when: the shopper switches to women's products
    browser.find_element(By.CSS_SELECTOR, "[data-gender=women]").click()

    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "[data-gender=women][aria-pressed=true]")))
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#look[data-status=done]")))
    # then: every recommendation is a women's product (demo titles say whom they are for)
    for item in browser.find_elements(By.CSS_SELECTOR, "#items .item"):
        titles = cards_titles(browser, item)
        assert titles and all(t.startswith("Women") for t in titles), titles

    # then: "complete the look" has a row for each category the photo lacks, and a button for each it shows
    shown = set(
        browser.execute_script("return [...document.querySelectorAll('#items .item')].map(i => i.dataset.category)")
    )
    rows = browser.execute_script(
        "return [...document.querySelectorAll('#complete-rows .complete-row')].map(r => r.dataset.category)"
    )
    assert set(rows) == {"topwear", "bottomwear", "footwear"} - shown
    asked = sorted(shown)[0]
    # when: the shopper asks for another of a garment the photo shows
    browser.find_element(By.CSS_SELECTOR, f"#complete-ask [data-complete={asked}]").click()
    # then: its row appears, with women's products of that category
    row = f"#complete-rows .complete-row[data-category={asked}]"
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, f"{row} .card")))
    suggested = WebDriverWait(browser, 30, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: d.execute_script(
            f"return [...document.querySelectorAll('{row} .card .title')].map(t => t.textContent)"
        )
    )
    assert suggested and all(t.startswith("Women") for t in suggested), suggested

    # when: the shopper draws a box around the shoes
    img = browser.find_element(By.ID, "photo-img")
    scale = img.size["width"] / shot.image.width
    shoes = next(b for b in shot.boxes if b.label == "footwear")
    centre_x, centre_y = img.size["width"] / 2, img.size["height"] / 2
    start = (shoes.x1 * scale - centre_x - 4, shoes.y1 * scale - centre_y - 4)
    end = (shoes.x2 * scale - centre_x + 4, shoes.y2 * scale - centre_y + 4)
    ActionChains(browser).move_to_element_with_offset(
        img, *map(int, start)
    ).click_and_hold().move_to_element_with_offset(img, *map(int, end)).release().perform()
    wait.until(ec.visibility_of_element_located((By.ID, "region-form")))
    assert browser.find_element(By.ID, "region-category").get_attribute("value") == "footwear"
    browser.find_element(By.ID, "region-go").click()

    # then: a new item, marked as the shopper's box, gets its own recommendations
    # (the page re-renders while it polls, so read each state in one step, in the page)
    drawn = WebDriverWait(browser, 60, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: d.execute_script(
            """return [...document.querySelectorAll('#items .item')]
                 .filter(i => i.textContent.includes('your box') && i.querySelector('.card'))
                 .map(i => i.dataset.category);"""
        )
    )
    assert drawn == ["footwear"]
    assert len(browser.find_elements(By.CSS_SELECTOR, "#boxes .box:not(.person)")) == len(items) + 1

    # when: the shopper says the first garment is of another colour
    first = browser.find_element(By.CSS_SELECTOR, "#items .item")
    category = first.get_attribute("data-category")
    first.find_element(By.CSS_SELECTOR, "details.correct summary").click()
    select = first.find_element(By.CSS_SELECTOR, "details.correct select[name=colour]")
    item = LookItem.objects.get(pk=first.get_attribute("data-item"))
    # a colour some of its results have, other than the one read: the partition searched holds it
    listed = item.recommendations.exclude(product__colour=item.colour_name).values_list("product__colour", flat=True)
    chosen = listed[0]
    Select(select).select_by_value(chosen)
    first.find_element(By.CSS_SELECTOR, "details.correct .button").click()
    # then: the garment says so, and its first results are of that colour and say they share it
    shares = WebDriverWait(browser, 60, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: d.execute_script(
            f"""const i = document.querySelector('#items .item[data-category={category}]');
                if (!i || !i.textContent.includes('as you said') || !i.querySelector('.card')) return null;
                return [...i.querySelectorAll('.card')].slice(0, 3).map(c => c.textContent);"""
        )
    )
    assert any("same colour" in card for card in shares[:2]), shares  # the first may be an exact match

    # and: the page did all of that under its Content-Security-Policy, which refuses inline script
    injected = "const s = document.createElement('script'); s.textContent = 'window.inlineRan = true'; "
    browser.execute_script(injected + "document.body.appendChild(s);")
    assert browser.execute_script("return window.inlineRan === true") is False


def test_a_shopper_picks_the_second_person_of_a_two_person_photo(
    live_server, celery_worker, catalog, browser, real_photos
):
    # given: a real photo of two men (basketball1), uploaded from the page
    _, path = real_photos["basketball1.png"]
    upload_from_the_page(browser, live_server, path, WebDriverWait(browser, 60))

    # then: the page shows both people, the first one shopped, and what it saw of him
    buttons = browser.find_elements(By.CSS_SELECTOR, "#people button")
    assert len(buttons) == 2
    assert buttons[0].get_attribute("aria-pressed") == "true"
    assert len(browser.find_elements(By.CSS_SELECTOR, "#boxes .box.person")) == 2
    assert "full shot" in browser.find_element(By.ID, "seen").text
    first = browser.execute_script("return [...document.querySelectorAll('#items .item')].map(i => i.dataset.item)")

    # when: the shopper picks the second person
    buttons[1].click()

    # then: the items are that person's, found without analysing the photo again
    WebDriverWait(browser, 60, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: d.execute_script(
            """const b = document.querySelector('#people button[data-person="1"]');
               return b && b.getAttribute('aria-pressed') === 'true'
                 && document.querySelector('#look').dataset.status === 'done'
                 && document.querySelectorAll('#items .item .card').length > 0;"""
        )
    )
    second = browser.execute_script("return [...document.querySelectorAll('#items .item')].map(i => i.dataset.item)")
    assert second and set(second).isdisjoint(first)
