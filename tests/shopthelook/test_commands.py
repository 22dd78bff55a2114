"""Project commands: the staff account is made once (from the environment or generated); the demo catalog is seeded."""

import os

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.mark.django_db
def test_ensure_staff_generates_a_password_once_and_keeps_it(data_dir, monkeypatch, capsys):
    monkeypatch.delenv("DJANGO_ADMIN_PASSWORD", raising=False)
    monkeypatch.setenv("DJANGO_ADMIN_USER", "boss")
    modes_when_written = []
    fdopen = os.fdopen

    def opened(fd, *args, **kwargs):  # the file's permissions at the moment the password goes in
        modes_when_written.append(oct(os.fstat(fd).st_mode)[-3:])
        return fdopen(fd, *args, **kwargs)

    monkeypatch.setattr(os, "fdopen", opened)
    old_umask = os.umask(0)  # even a permissive umask never leaves the file readable by others
    try:
        call_command("ensure_staff")
    finally:
        os.umask(old_umask)
    assert modes_when_written == ["600"]
    saved = (data_dir / "admin-credentials.txt").read_text()
    password = saved.split("password: ")[1].strip()
    assert password in capsys.readouterr().out
    user = get_user_model().objects.get(username="boss")
    assert user.is_staff and user.is_superuser and user.check_password(password)
    assert oct((data_dir / "admin-credentials.txt").stat().st_mode)[-3:] == "600"

    call_command("ensure_staff")  # a second run changes nothing
    assert get_user_model().objects.get(username="boss").check_password(password)
    assert get_user_model().objects.count() == 1


@pytest.mark.django_db
def test_ensure_staff_takes_credentials_from_the_environment(data_dir, monkeypatch):
    monkeypatch.setenv("DJANGO_ADMIN_USER", "ops")
    monkeypatch.setenv("DJANGO_ADMIN_PASSWORD", "a-long-pass-phrase")
    call_command("ensure_staff")
    assert get_user_model().objects.get(username="ops").check_password("a-long-pass-phrase")
    assert not (data_dir / "admin-credentials.txt").exists()


@pytest.mark.slow
def test_seed_demo_catalog_serves_the_demo_store_for_the_scrape_and_stops_it(db, settings, capsys):
    from catalog.models import Product, ProductEmbedding
    from shopthelook.servers import free_port, port_free

    # given an empty catalog and the demo profile pointed at a free port
    port = free_port()
    settings.SCRAPER_SITE_URLS = {"demo": f"http://127.0.0.1:{port}"}
    settings.DEMO_STORE_PRODUCTS = 60

    call_command("seed_demo_catalog", max_per_category=1)

    # then one product per search term was scraped and embedded, and the store process is gone
    assert Product.objects.count() == 6 and ProductEmbedding.objects.count() == 6
    assert port_free(port)
    call_command("seed_demo_catalog", max_per_category=1)  # a second run leaves a filled catalog alone
    assert Product.objects.count() == 6 and "skipping" in capsys.readouterr().out
