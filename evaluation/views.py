from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from evaluation import definitions, selectors, services
from evaluation.forms import FilterForm, QuestionForm, ResponseForm, SurveyForm, TestimonialForm
from evaluation.models import Question, Survey
from mentorat.core import scopes
from mentorat.core.csv import csv_response
from mentorat.core.errors import add_to_form
from mentorat.core.permissions import coordinator_required
from programmes.models import Programme
from programmes.selectors import (
    coordinated_programmes,
    coordinates,
    programme_get_for_coordinator,
    programme_get_for_user,
    programme_roles,
)


def _filters(request, options) -> tuple[FilterForm, selectors.Filters]:
    form = FilterForm(request.GET or None, options=options)
    if form.is_bound and form.is_valid():
        return form, selectors.Filters(**form.cleaned_data)
    if form.is_bound:
        raise Http404  # a programme, department or site the user cannot choose
    return form, selectors.Filters()


def dashboard(request):
    """Executives and coordinators: every programme; sponsors: theirs. The body (figures, charts,
    filters) is cached per set of programmes the reader may see, filters and language, under those
    programmes' scopes and the directory's (``mentorat.core.scopes``): readers with the same reach
    share it, a write to one of the programmes recomputes it from the cells of the others (cached
    too, ``evaluation.selectors``) and its own. The page around it (navigation, CSRF token, the
    printing date) is rendered for each request."""
    user = request.user
    if not selectors.can_see_dashboard(user):
        raise PermissionDenied
    options = selectors.dashboard_options(user=user)
    form, filters = _filters(request, options)
    allowed = tuple(sorted(p.pk for p in options["programmes"]))
    query = request.GET.urlencode()  # with the programmes allowed, it decides the filters
    parts = (selectors.sees_every_programme(user), allowed, query, get_language(), timezone.get_current_timezone_name())
    its = [(kind, pk) for pk in allowed for kind in ("programme", "sessions", "goals", "results")]
    body = scopes.cached("dashboard-body", parts, lambda: _dashboard_body(user, form, filters, query),
                         scopes=[*its, ("directory",), ("catalogue",)], timeout=selectors.DASHBOARD_TTL,
                         single_flight=True)  # the executives, all at once after a write: computed once
    return render(request, "evaluation/dashboard.html", {"body": mark_safe(body), "now": timezone.now()})


def _dashboard_body(user, form, filters, query: str) -> str:
    data = selectors.dashboard(user=user, filters=filters)
    silo_links = selectors.cross_silo_links(data=data, filters=filters)
    charts = dict(data["charts"], labels={
        "planned": _("planned"), "held": _("held"), "satisfaction": _("satisfaction (1–5)"), "nps": _("NPS"),
        "before": _("senior, at the start"), "after": _("senior, at the end"), "mentor": _("mentor's view"),
        "funnel": [_("applications"), _("approved"), _("paired"), _("started"), _("completed")],
        "retention": [definitions.label("mentor_retention_6m"), definitions.label("mentor_retention_12m"),
                      definitions.label("mentor_promotions")]})
    cards = definitions.cards(data["total"])
    columns = [{"programme": c["programme"], "cards": definitions.cards(c["figures"])} for c in data["columns"]]
    return render_to_string("evaluation/_dashboard_body.html", {
        "form": form, "data": data, "cards": cards, "charts": charts, "columns": columns,
        # Each indicator's row across the programmes (every column has the cards in KPI_CARDS order).
        "side_by_side": list(zip(cards, zip(*[column["cards"] for column in columns], strict=True), strict=True))
        if columns else [],
        "query": query,
        "silo_links": silo_links,
    })


def dashboard_export(request):
    """CSV of the dashboard with its filters: suppressed figures are empty, their count given."""
    if not selectors.can_see_dashboard(request.user):
        raise PermissionDenied
    options = selectors.dashboard_options(user=request.user)
    _form, filters = _filters(request, options)
    data = selectors.dashboard(user=request.user, filters=filters)
    response, writer = csv_response("mentorat-dashboard.csv")
    writer.writerow([_("programme"), _("indicator"), _("value"), _("respondents"), _("definition")])
    for name, figures in [(_("all selected programmes"), data["total"])] + [(c["programme"].name, c["figures"])
                                                                            for c in data["columns"]]:
        for row in definitions.rows(figures):
            writer.writerow([name, row["label"], "" if row["value"] is None else row["value"],
                             "" if row["respondents"] is None else row["respondents"], row["definition"]])
    links = data["links"]
    if links["links"] is not None:
        everything = _("all selected programmes")
        writer.writerow([everything, _("Couples of departments joined by a pair"), links["links"], "", ""])
        for cell in links["cells"]:
            writer.writerow([everything, _("Pairs between %(a)s and %(b)s") % {"a": cell["a"], "b": cell["b"]}, cell["pairs"],
                             "", ""])
    sites = selectors.cross_silo_links(data=data, filters=filters)["site"]
    if sites["links"] is not None:
        everything = _("all selected programmes")
        writer.writerow([everything, _("Couples of sites joined by a pair"), sites["links"], "", ""])
        for cell in sites["cells"]:
            writer.writerow([everything, _("Pairs between the sites %(a)s and %(b)s") % {"a": cell["a"], "b": cell["b"]},
                             cell["pairs"], "", ""])
    return response


@coordinator_required
def operations(request):
    programmes = list(coordinated_programmes(request.user).exclude(status=Programme.Status.DRAFT).order_by("-start_date"))
    slug = request.GET.get("programme")
    programme = next((p for p in programmes if p.slug == slug), None) if slug else (programmes[0] if programmes else None)
    if slug and programme is None:
        raise Http404
    data = selectors.operations(user=request.user, programme=programme) if programme else None
    return render(request, "evaluation/operations.html", {"programmes": programmes, "programme": programme, "data": data})


def my_surveys(request):
    return render(request, "evaluation/my_surveys.html", {"items": selectors.surveys_for_user(user=request.user)})


def answer(request, pk):
    session_pk = request.GET.get("session")
    entry = selectors.survey_entry_for_user(user=request.user, survey_pk=pk,
                                            session_pk=int(session_pk) if session_pk and session_pk.isdigit() else None)
    now = timezone.now()
    released = entry["response"] is not None and entry["response"].released_in_id is not None
    is_open = entry["opens"] is not None and entry["opens"] <= now < entry["closes"] and not released
    form = ResponseForm(request.POST if request.method == "POST" else None, questions=entry["questions"], domains=entry["domains"],
                        response=entry["response"])
    if request.method == "POST":
        if not is_open:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.response_submit(user=request.user, survey=entry["survey"], pair=entry["pair"],
                                         session=entry["session"], answers=form.answers())
            except services.EvaluationError as error:
                add_to_form(form, error)
            else:
                messages.success(request, _("Thank you: your answers are saved. You can change them until the survey closes "
                                            "or they join the published results (once enough people have answered)."))
                return redirect("evaluation:my_surveys")
    return render(request, "evaluation/answer.html", dict(entry, form=form, is_open=is_open, released=released))


def _programme_for_results(request, survey):
    roles = programme_roles(user=request.user, programme=survey.programme)
    if not roles & {"coordinator", "executive", "sponsor"}:
        raise PermissionDenied
    return roles


def survey_results(request, pk):
    survey = get_object_or_404(Survey.objects.select_related("programme"), pk=pk)
    roles = _programme_for_results(request, survey)
    return render(request, "evaluation/results.html", dict(selectors.survey_results(user=request.user, survey=survey),
                                                           can_edit="coordinator" in roles))


@coordinator_required
def programme_surveys(request, slug):
    programme = programme_get_for_coordinator(user=request.user, slug=slug)
    if request.method == "POST":
        services.surveys_ensure(programme=programme)
        messages.success(request, _("The default surveys are ready to edit."))
        return redirect("evaluation:programme_surveys", slug=programme.slug)
    return render(request, "evaluation/programme_surveys.html",
                  {"programme": programme, "rows": selectors.survey_response_rates(programme=programme)})


def _survey_for_coordinator(request, pk) -> Survey:
    """A survey of a programme the user runs; 404 for the others' (403 for non-coordinators)."""
    survey = get_object_or_404(Survey.objects.select_related("programme"), pk=pk)
    if not coordinates(request.user, survey.programme_id):
        raise Http404
    return survey


@coordinator_required
def survey_edit(request, pk):
    survey = _survey_for_coordinator(request, pk)
    form = SurveyForm(request.POST or None, instance=survey)
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_update(actor=request.user, survey=survey, **form.cleaned_data)
        except services.EvaluationError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Survey saved."))
            return redirect("evaluation:survey_edit", pk=survey.pk)
    return render(request, "evaluation/survey_edit.html", {"survey": survey, "form": form,
                                                           "questions": list(survey.questions.all())})


@coordinator_required
def question_edit(request, survey_pk, pk=None):
    survey = _survey_for_coordinator(request, survey_pk)
    question = get_object_or_404(Question, pk=pk, survey=survey) if pk else None
    form = QuestionForm(request.POST or None, instance=question,
                        initial={"order": survey.questions.count()} if question is None else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.question_save(actor=request.user, survey=survey, question=question, **form.cleaned_data)
        except services.EvaluationError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Question saved."))
            return redirect("evaluation:survey_edit", pk=survey.pk)
    return render(request, "evaluation/question_form.html", {"survey": survey, "form": form, "question": question})


@coordinator_required
@require_POST
def question_delete(request, survey_pk, pk):
    question = get_object_or_404(Question, pk=pk, survey=_survey_for_coordinator(request, survey_pk))
    try:
        services.question_delete(actor=request.user, question=question)
    except services.EvaluationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Question deleted."))
    return redirect("evaluation:survey_edit", pk=survey_pk)


def progress(request):
    return render(request, "evaluation/progress.html", selectors.progress_for_user(user=request.user))


def certificate(request, pk):
    return render(request, "evaluation/certificate.html", selectors.certificate_for_user(user=request.user, pk=pk))


def testimonial_new(request, slug):
    programme = programme_get_for_user(user=request.user, slug=slug)
    roles = programme_roles(user=request.user, programme=programme)
    if not roles & {"mentor", "mentee"}:
        raise PermissionDenied
    form = TestimonialForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.testimonial_submit(user=request.user, programme=programme, **form.cleaned_data)
        except services.EvaluationError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Thank you for your story. A coordinator will read it."))
            return redirect("programmes:detail", slug=programme.slug)
    return render(request, "evaluation/testimonial_form.html", {"programme": programme, "form": form})


@coordinator_required
@require_POST
def testimonial_publish(request, pk):
    testimonial = selectors.testimonial_get_for_coordinator(user=request.user, pk=pk)
    try:
        services.testimonial_publish(actor=request.user, testimonial=testimonial, publish=request.POST.get("publish") == "1")
    except services.EvaluationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Testimonial updated."))
    return redirect(reverse("evaluation:operations") + f"?programme={testimonial.programme.slug}#testimonials")
