"""Issue 17 journey, in French and in English: a junior shares an anonymous tip from the pair
space; the HR lead reviews it (no author named) and publishes it; the senior browses the learnings
by domain and finds it, unsigned; the executive reads the commitments' themes (no name, and no
text under the threshold)."""


import pytest

from binomes.models import Pair
from mentorat.core.demo import DOMAIN, PASSWORD
from mentorat.core.models import User
from programmes.models import LearningDomain
from sessions import learnings
from sessions.models import SharedLearning
from tests.browser.conftest import follow_nav, screenshot
from tests.browser.test_programme_journey import check

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = {"fr": "Trois objections avant le comité", "en": "Three objections before the committee"}
BODY = {"fr": "Demander à l’assistant les trois objections les plus probables, puis y répondre.",
        "en": "Ask the assistant for the three likeliest objections, then answer them."}


def log_in(page, email, language):
    """Logged in with ``language`` as the account's language (what the pages then speak)."""
    User.objects.filter(email=email).update(language=language)
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/")
    assert page.locator("html").get_attribute("lang") == language


def log_out(page):
    page.locator("form[action$='/logout/'] button").click()
    page.wait_for_url("**/accounts/login/**")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_share_review_publish_and_browse_by_domain(page, demo, language):
    pair = Pair.objects.filter(mentor__employee__email=f"lea.moreau@{DOMAIN}", status=Pair.Status.ACTIVE).first()
    domain = pair.programme.domains.order_by("slug").first()

    # The junior shares from the pair space, anonymously.
    log_in(page, f"lea.moreau@{DOMAIN}", language)
    page.goto(f"/sessions/pair/{pair.pk}/")
    page.locator(f"main a[href='/learnings/share/?pair={pair.pk}']").click()
    page.wait_for_url("**/learnings/share/**")
    page.locator("input[name=kind][value=tip]").check()
    page.locator("#id_title").fill(TITLE[language])
    page.locator("#id_body").fill(BODY[language])
    page.locator("#id_link").fill("https://example.org/prompts")
    page.locator("#id_domain").select_option(str(domain.pk))
    page.locator("input[name=anonymous][value='1']").check()
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert "is-invalid" in page.locator("#id_consent").get_attribute("class")
    assert not SharedLearning.objects.exists()  # no consent, nothing written
    page.locator("#id_consent").check()
    check(page, "share a learning")
    screenshot(page, f"learning-share-{language}")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/learnings/mine/")
    assert TITLE[language] in page.get_by_test_id("my-learnings").inner_text()
    check(page, "my learnings")
    screenshot(page, f"learnings-mine-{language}")
    log_out(page)

    # The HR lead reviews it: the author is not named, even to her.
    log_in(page, f"claire.dubois@{DOMAIN}", language)
    page.goto("/learnings/")
    page.get_by_test_id("to-review").click()
    page.wait_for_url("**/learnings/review/")
    queue = page.get_by_test_id("review-queue").inner_text()
    check(page, "learnings to review")
    screenshot(page, f"learnings-queue-{language}")
    assert TITLE[language] in queue and "Moreau" not in queue
    learning = SharedLearning.objects.get()
    page.locator(f"a[href='/learnings/{learning.pk}/review/']").click()
    assert "Moreau" not in page.locator("main").inner_text()
    check(page, "review a learning")
    screenshot(page, f"learning-review-{language}")
    page.locator("button[name=decision][value=publish]").click()
    page.wait_for_url("**/learnings/review/")
    learning.refresh_from_db()
    assert learning.status == "published"
    log_out(page)

    # The senior browses by domain: the tip is there, unsigned; another domain does not list it.
    log_in(page, f"bernard.lefevre@{DOMAIN}", language)
    page.goto("/learnings/")
    page.locator("#id_domain").select_option(domain.slug)
    page.locator("main form[method=get] button[type=submit]").click()
    page.wait_for_url(f"**domain={domain.slug}**")
    listed = page.get_by_test_id("learnings").inner_text()
    assert TITLE[language] in listed and "Moreau" not in listed and "Léa" not in listed
    assert page.locator("a[href='https://example.org/prompts']").count() == 1
    check(page, "learnings by domain")
    screenshot(page, f"learnings-browse-{language}")
    other = LearningDomain.objects.exclude(pk=domain.pk).order_by("slug").first()
    page.goto(f"/learnings/?domain={other.slug}")
    assert TITLE[language] not in page.get_by_test_id("learnings").inner_text()
    log_out(page)

    # The executive reads the commitments' themes: no name, and no text where too few seniors.
    log_in(page, f"philippe.garnier@{DOMAIN}", language)
    follow_nav(page, "/learnings/commitments/")  # in the "Results" menu
    page.wait_for_url("**/learnings/commitments/")
    themes = page.get_by_test_id("themes").inner_text()
    assert "Lefèvre" not in themes and "Moreau" not in themes
    expected = learnings.commitment_themes(user=User.objects.get(email=f"philippe.garnier@{DOMAIN}"))["themes"]
    assert page.get_by_test_id("theme-texts").count() == sum(theme.shown for theme in expected)
    assert page.get_by_test_id("theme-hidden").count() == sum(not theme.shown for theme in expected)
    for hidden in page.get_by_test_id("theme").filter(has=page.get_by_test_id("theme-hidden")).all():
        assert hidden.locator("li").count() == 0  # under the threshold: no text at all
    check(page, "commitment themes")
    screenshot(page, f"commitment-themes-{language}")
