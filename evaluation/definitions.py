"""What each indicator means, shown next to it on the dashboards, in the CSV export and the API;
and the list of a group's indicators as all three give them (``cards``, ``rows``)."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# The dashboard's cards, in order; the CSV export and the API list the same.
KPI_CARDS = ["applications", "approved", "pairing_rate", "active_pairs", "session_completion", "session_rating",
             "satisfaction", "recommendation_rate", "nps", "skill_gain_rate", "goals_achieved", "commitments_kept",
             "mentor_engagement", "mentor_retention_6m", "mentor_retention_12m", "mentor_promotions",
             "cross_department_rate", "cross_site_rate"]
PERCENT = {"pairing_rate", "session_completion", "recommendation_rate", "skill_gain_rate", "goals_achieved",
           "commitments_kept", "mentor_engagement", "mentor_retention_6m", "mentor_retention_12m", "mentor_promotions",
           "cross_department_rate", "cross_site_rate"}

DEFINITIONS = {
    "applications": (_("Applications"), _("Applications received, as mentor or mentee, withdrawn ones included.")),
    "approved": (_("Approved"), _("Applications approved by a coordinator.")),
    "pairing_rate": (_("Pairing rate"), _("Approved volunteers who were offered a pair (published, active, completed "
                                          "or ended), over approved volunteers.")),
    "active_pairs": (_("Active pairs"), _("Pairs both members confirmed, not completed or ended yet.")),
    "completed_pairs": (_("Completed pairs"), _("Pairs that reached the end of the programme.")),
    "session_completion": (_("Sessions held / due"), _("Sessions logged as held over sessions whose date has passed "
                                                       "(cancelled and not held ones count as due).")),
    "cancellations": (_("Cancellations by side"), _("Cancelled sessions, by who cancelled: mentor (junior), "
                                                    "mentee (senior) or coordinator.")),
    "session_rating": (_("Average session rating"), _("Mean of the one-minute ratings (1–5) both members give "
                                                      "after a session.")),
    "satisfaction": (_("Satisfaction"), _("Mean answer (1–5) to the satisfaction questions of the final review, "
                                          "mentors and mentees.")),
    "recommendation_rate": (_("Would recommend"), _("Final review: share answering 7 to 10 to “would you recommend "
                                                    "the programme?” (0–10).")),
    "nps": (_("Net promoter score"), _("Final review: % answering 9–10 minus % answering 0–6, from −100 to 100.")),
    "skill_gain_rate": (_("Seniors reporting a skill gain"), _("Seniors who rated themselves higher at the final "
                                                               "review than at the baseline in at least one domain, over "
                                                               "seniors who answered both.")),
    "skills": (_("Skill progression by domain"), _("Seniors' self-rating (1–5) at the baseline and at the final "
                                                   "review, and the mentors' rating of their senior's progress.")),
    "goals_achieved": (_("Goals achieved"), _("Learning goals marked achieved over all goals of the pairs.")),
    "commitments_kept": (_("Commitments kept"), _("Seniors' commitments marked kept over commitments due "
                                                  "(kept, not kept, or past their date).")),
    "mentor_engagement": (_("Mentor engagement"), _("Mentors of active pairs whose pair held a session in the last "
                                                    "60 days.")),
    "mentor_retention_6m": (_("Mentor retention at 6 months"), _("Mentors of completed pairs still employed 6 months "
                                                                 "after the end, over those whose end is 6 months past.")),
    "mentor_retention_12m": (_("Mentor retention at 12 months"), _("Same at 12 months after the end (from the "
                                                                   "directory's leave dates).")),
    "cross_department_rate": (_("Pairs across departments"), _("Pairs offered or confirmed whose two members work in "
                                                                "different departments, over all such pairs: the silos "
                                                                "the programme connects.")),
    "cross_site_rate": (_("Pairs across sites"), _("Pairs offered or confirmed whose two members work on different "
                                                   "sites, over all such pairs.")),
    "mentor_promotions": (_("Mentors promoted"), _("Mentors of completed pairs whose job level went up in the directory "
                                                   "between the start of their pair and today.")),
    "survey_response_rate": (_("Survey response rate"), _("Responses over the participants a survey was sent to.")),
}


def label(key: str) -> str:
    return str(DEFINITIONS[key][0])


def definition(key: str) -> str:
    return str(DEFINITIONS[key][1])


def cards(figures: dict) -> list[dict]:
    """A group's figures (``selectors.dashboard``) as cards: label, definition, value, whether a
    percentage, respondents (figures about answers) and whether the anonymity rule hides it."""
    result = []
    for key in KPI_CARDS:
        figure = figures[key]
        about_answers = isinstance(figure, dict)
        detail = ""
        if key in ("applications", "approved") and figures[f"{key}_mentor"] is not None:
            detail = gettext("mentors %(mentors)s · mentees %(mentees)s") % {
                "mentors": figures[f"{key}_mentor"], "mentees": figures[f"{key}_mentee"]}
        result.append({"key": key, "label": label(key), "definition": definition(key), "detail": detail,
                       "value": figure["value"] if about_answers else figure, "percent": key in PERCENT,
                       "respondents": figure["respondents"] if about_answers else None,
                       "suppressed": about_answers and not figure["shown"]})
    return result


def rows(figures: dict) -> list[dict]:
    """A group's figures one per line, as the CSV export and the API give them: applications and
    approvals by role, then each card. A hidden figure has no value and no count."""
    lines = []
    for role, side in (("mentor", gettext("mentors")), ("mentee", gettext("mentees"))):
        for key in ("applications", "approved"):
            value = figures[f"{key}_{role}"]
            lines.append({"key": f"{key}_{role}", "label": f"{label(key)} ({side})", "definition": definition(key),
                          "value": value, "respondents": None, "shown": value is not None})
    for card in cards(figures):
        shown = not card["suppressed"] and (card["value"] is not None or card["respondents"] is not None)
        lines.append({"key": card["key"], "label": card["label"], "definition": card["definition"],
                      "value": card["value"] if shown else None, "respondents": card["respondents"] if shown else None,
                      "shown": shown})
    return lines
