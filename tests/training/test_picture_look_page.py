"""`picture_look_page` refuses to picture a page whose catalog has nothing to recommend."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db


def test_an_empty_catalog_is_refused_before_anything_starts(tmp_path):
    out = tmp_path / "page.png"
    with pytest.raises(CommandError, match="no product vectors"):
        call_command("picture_look_page", out=out)
    assert not out.exists()
