"""Staff review in admin: the look list, a look's page with its boxes and recommendations, feedback, metrics."""

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.base import ContentFile
from django.urls import reverse

from catalog.ingest import upsert_product
from shopthelook.feedback_metrics import summarise
from shopthelook.models import Complement, Feedback, Look, LookItem, Recommendation
from tests.catalog.factories import jpeg, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def look() -> Look:
    """A finished look with one top and three recommendations, as the pipeline stores them."""
    look = Look(status=Look.Status.DONE, width=200, height=300, p_women=0.1, gender_seen="men")
    look.timings = {"queue": 3.0, "detect": 25.0, "gender": 9.0, "embed": 7.0, "search": 1.0}
    look.photo.save("x.jpg", ContentFile(jpeg("white", (200, 300))), save=False)
    look.save()
    item = LookItem.objects.create(look=look, category="topwear", score=0.9, x1=40, y1=50, x2=160, y2=150)
    for rank in (1, 2, 3):
        product, _ = upsert_product(record(f"P{rank}", title=f"<script>alert({rank})</script> shirt"))
        Recommendation.objects.create(item=item, product=product, rank=rank, similarity=1 - rank / 10, exact=rank == 1)
    return look


@pytest.fixture
def staff(client) -> User:
    user = User.objects.create_user("reviewer", password="pw-for-tests", is_staff=True)
    for codename in ("view_look", "view_feedback", "add_feedback"):
        user.user_permissions.add(Permission.objects.get(codename=codename))
    client.force_login(user)
    return user


def test_the_list_shows_thumbnail_status_stage_times_gender_and_item_count(client, staff, look):
    html = client.get(reverse("admin:shopthelook_look_changelist")).content.decode()
    assert look.photo.url in html
    assert "detect 25" in html and "gender 9" in html
    assert "men (P(women) 0.10)" in html
    assert '<td class="field-item_count">1</td>' in html


def test_a_look_page_shows_boxes_crops_and_escaped_recommendations(client, staff, look):
    html = client.get(reverse("admin:shopthelook_look_change", args=[look.pk])).content.decode()
    assert "left:20.00%;top:16.67%;width:60.00%;height:33.33%" in html  # the top's box on the photo
    assert "exact match" in html and "similar style" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count('name="relevant" value="1"') == 3


def test_a_look_page_shows_its_complete_the_look_suggestions_escaped(client, staff, look):
    shoes, _ = upsert_product(record("S1", category="footwear", title="<b>bold</b> boots"))
    Complement.objects.create(look=look, category="footwear", product=shoes, rank=1, score=0.42)
    html = client.get(reverse("admin:shopthelook_look_change", args=[look.pk])).content.decode()
    assert 'id="complete-the-look"' in html and "score 0.420" in html
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt; boots" in html


def test_thumbs_are_saved_once_per_reviewer_and_can_be_changed(client, staff, look):
    rec = Recommendation.objects.get(rank=2)
    url = reverse("admin:look-feedback", args=[look.pk])
    response = client.post(url, {"recommendation": rec.pk, "relevant": "1", "reason": "style"})
    assert response.status_code == 302 and response["Location"].endswith(f"#item-{rec.item_id}")
    client.post(url, {"recommendation": rec.pk, "relevant": "0", "reason": "colour"})
    fb = Feedback.objects.get()
    assert (fb.relevant, fb.reason, fb.reviewer) == (False, "colour", staff)


def test_feedback_is_refused_without_the_permission_or_for_another_look(client, look):
    rec = Recommendation.objects.get(rank=1)
    url = reverse("admin:look-feedback", args=[look.pk])
    viewer = User.objects.create_user("viewer", password="pw", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_look"))
    client.force_login(viewer)
    assert client.post(url, {"recommendation": rec.pk, "relevant": "1"}).status_code == 403
    shopper = User.objects.create_user("shopper", password="pw")
    client.force_login(shopper)
    assert client.post(url, {"recommendation": rec.pk, "relevant": "1"}).status_code == 302  # to the login page
    assert Feedback.objects.count() == 0


def test_metrics_from_feedback_match_a_hand_computed_example(client, staff, look):
    # given: rank 1 "same product" up, rank 2 down, rank 3 style up
    recs = {r.rank: r for r in Recommendation.objects.all()}
    for rank, relevant, reason in ((1, True, "exact"), (2, False, "colour"), (3, True, "style")):
        Feedback.objects.create(recommendation=recs[rank], reviewer=staff, relevant=relevant, reason=reason)
    # then: P@3 = 2/3; AP@3 = (1/1 + 2/3) / 2 = 0.8333;
    # relevance = DCG(2, 0, 1) / DCG(2, 1, 0) = (2 + 0 + 1/log2(4)) / (2 + 1/log2(3)) = 0.9502
    (overall, top) = summarise(k=3, by="category")
    assert (overall.group, top.group) == ("all", "topwear")
    assert overall.precision == pytest.approx(2 / 3)
    assert overall.map == pytest.approx(5 / 6)
    assert overall.relevance == pytest.approx(2.5 / (2 + 1 / 1.5849625), abs=1e-4)
    html = client.get(reverse("admin:look-metrics") + "?k=3").content.decode()
    table = html[html.index("Per category") :]
    assert "<td>0.667</td><td>0.833</td><td>0.950</td>" in table.replace("\n", ""), table[:600]


def test_the_review_admin_is_for_staff_only(client, look):
    url = reverse("admin:shopthelook_look_change", args=[look.pk])
    assert client.get(url).status_code == 302
    client.force_login(User.objects.create_user("shopper", password="pw"))
    assert client.get(url).status_code == 302
    assert client.get(reverse("admin:look-metrics")).status_code == 302
