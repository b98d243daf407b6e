"""The senior's delegate has a way in: their home lists the senior's sessions to book or move,
they get the session reminders, every link they are shown leads somewhere, and nothing of the
pair's content (theme, goals, notes) reaches them."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from mentorat.core.models import Notification
from sessions import notifications, services
from sessions.models import Delegate, MentoringSession
from tests.conftest import client_for, drain_outbox
from tests.factories import EmployeeFactory

THEME = "Thème-secret-du-binôme"


@pytest.fixture
def assistant(active_pair, org):
    user = EmployeeFactory(employee_id="ASSIST", job_level=2, first_name="Alix", last_name="Martin").user
    Delegate.objects.create(senior=org["director_a"], user=user)
    MentoringSession.objects.filter(pair=active_pair).update(theme=THEME)
    services.goal_save(user=org["director_a"].user, pair=active_pair, title="Objectif-secret")
    return user


def upcoming(pair):
    return pair.sessions.filter(status="planned", starts_at__gte=timezone.now()).order_by("starts_at")


@pytest.mark.django_db
class TestTheDelegateWayIn:
    def test_the_home_lists_the_senior_s_sessions_to_book_or_move(self, assistant, active_pair, org):
        page = client_for(assistant).get(reverse("core:home")).content.decode()
        section = page[page.index('data-testid="home-delegated"'):]
        first = upcoming(active_pair).first()
        assert org["director_a"].full_name in section
        assert reverse("sessions:detail", args=[first.pk]) in section
        assert reverse("sessions:delegated") in section
        assert THEME not in page and "Objectif-secret" not in page

    def test_the_navigation_leads_to_the_sessions_they_book(self, assistant):
        page = client_for(assistant).get(reverse("core:home")).content.decode()
        assert f'href="{reverse("sessions:delegated")}"' in page

    def test_every_link_shown_to_the_delegate_leads_somewhere(self, assistant, active_pair):
        client = client_for(assistant)
        first = upcoming(active_pair).first()
        seen = set()
        for url in (reverse("core:home"), reverse("sessions:delegated"), reverse("sessions:detail", args=[first.pk])):
            page = client.get(url)
            assert page.status_code == 200, url
            body = page.content.decode()
            assert THEME not in body and "Objectif-secret" not in body
            for link in set(re.findall(r'href="(/[^"]*)"', body)) - seen:
                seen.add(link)
                if link.startswith(("/static/", "/accounts/logout")):
                    continue
                assert client.get(link).status_code == 200, f"{link} (on {url})"
        assert reverse("sessions:workspace", args=[active_pair.pk]) not in seen
        assert reverse("binomes:pair", args=[active_pair.pk]) not in seen

    def test_someone_who_is_nobody_s_delegate_gets_no_such_section(self, active_pair, outsider):
        page = client_for(outsider).get(reverse("core:home")).content.decode()
        assert 'data-testid="home-delegated"' not in page


@pytest.mark.django_db
class TestTheDelegateGetsTheReminders:
    def test_the_delegate_gets_each_reminder_once_without_the_pair_s_theme(self, assistant, active_pair, org):
        session = upcoming(active_pair).first()
        drain_outbox()
        Notification.objects.all().delete()
        mail.outbox.clear()
        due = session.starts_at - datetime.timedelta(hours=2)
        for minute in (-30, 0, 10, 30):
            notifications.plan_reminders(now=due + datetime.timedelta(minutes=minute))
            drain_outbox(now=due + datetime.timedelta(minutes=minute))
        kinds = dict(Notification.objects.values_list("pk", "kind"))
        sent = [m for m in mail.outbox if kinds.get(int(m.extra_headers["X-Mentorat-Notification"])) == "session_upcoming"]
        assert sorted(m.to[0] for m in sent) == sorted([org["junior_b"].email, org["director_a"].email, assistant.email])
        to_assistant = next(m for m in sent if m.to[0] == assistant.email)
        attachments = b"".join(content if isinstance(content, bytes) else content.encode()
                               for _name, content, _type in to_assistant.attachments)
        assert THEME not in to_assistant.body and THEME.encode() not in attachments
        assert org["director_a"].full_name in to_assistant.body
        assert reverse("sessions:detail", args=[session.pk]) in to_assistant.body
        # The members' reminders still name the theme.
        to_mentor = next(m for m in sent if m.to[0] == org["junior_b"].email)
        assert THEME in to_mentor.body

    def test_a_delegate_removed_before_the_reminder_does_not_get_it(self, assistant, active_pair, org):
        session = upcoming(active_pair).first()
        drain_outbox()
        Notification.objects.all().delete()
        mail.outbox.clear()
        due = session.starts_at - datetime.timedelta(hours=2)
        notifications.plan_reminders(now=due - datetime.timedelta(minutes=5))
        Delegate.objects.filter(user=assistant).delete()
        drain_outbox(now=due)
        assert assistant.email not in [m.to[0] for m in mail.outbox]


@pytest.mark.django_db
class TestOnlyASeniorNamesADelegate:
    """A senior is the mentee of an active pair: the junior mentor has nobody's sessions to hand over."""

    def test_the_junior_mentor_s_calendar_has_no_delegate_form_and_the_senior_s_has(self, active_pair, org):
        junior = client_for(org["junior_b"].user).get(reverse("sessions:calendar")).content.decode()
        assert 'data-testid="delegate"' not in junior and 'name="email"' not in junior
        senior = client_for(org["director_a"].user).get(reverse("sessions:calendar")).content.decode()
        assert 'data-testid="delegate"' in senior and 'name="email"' in senior

    def test_the_service_refuses_the_junior_mentor_on_the_address_field(self, active_pair, org):
        someone = EmployeeFactory(employee_id="ASSIST", job_level=2).user
        with pytest.raises(services.SessionError) as refused:
            services.delegate_set(user=org["junior_b"].user, email=someone.email)
        assert refused.value.field == "email"
        assert refused.value.message == gettext(
            "Only a senior, the mentee of an active pair, can name a delegate for their sessions.")
        assert not Delegate.objects.exists()

    def test_the_form_posted_anyway_by_the_junior_mentor_is_refused_on_its_field(self, active_pair, org):
        someone = EmployeeFactory(employee_id="ASSIST", job_level=2).user
        response = client_for(org["junior_b"].user).post(reverse("sessions:calendar"), {"email": someone.email})
        assert response.status_code == 200 and response.context["form"].errors["email"]
        assert not Delegate.objects.exists()

    def test_a_senior_whose_pair_is_over_may_remove_the_delegate_but_name_nobody(self, assistant, active_pair, org):
        from binomes.models import Pair

        Pair.objects.filter(pk=active_pair.pk).update(status=Pair.Status.COMPLETED)
        senior = org["director_a"].user
        other = EmployeeFactory(employee_id="OTHER", job_level=2).user
        with pytest.raises(services.SessionError):
            services.delegate_set(user=senior, email=other.email)
        assert Delegate.objects.get(senior=org["director_a"]).user == assistant
        page = client_for(senior).get(reverse("sessions:calendar")).content.decode()
        assert 'data-testid="delegate"' in page  # to remove the one named
        services.delegate_set(user=senior, email="")
        assert not Delegate.objects.filter(senior=org["director_a"]).exists()
