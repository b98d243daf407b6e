"""The pulse survey no longer asks "how useful was this session?" (the session's page rates it,
1–5, each way). In existing programmes the duplicate question is replaced where nobody has
answered it yet and the coordinators left it as it was; where it has answers it stays (changing
it would give those answers another meaning): coordinators may replace it on the survey's page."""

from django.db import migrations

OLD_EN = "How useful was this session?"
NEW = {
    "mentee": ("single", "Allez-vous essayer quelque chose de cette séance d'ici la prochaine ?",
               "Will you try something from this session before the next one?",
               "Oui, c'est prévu | Yes, planned\nPeut-être | Maybe\nPas cette fois | Not this time"),
    "mentor": ("single", "Vous êtes-vous senti·e libre de dire ce que vous pensiez ?",
               "Did you feel free to say what you think?",
               "Oui, tout à fait | Yes, fully\nEn partie | Partly\nPas vraiment | Not really"),
}


def replace_duplicate(apps, schema_editor):
    Question = apps.get_model("evaluation", "Question")
    Answer = apps.get_model("evaluation", "Answer")
    answered = Answer.objects.values("question_id")
    for question in (Question.objects.filter(survey__moment="pulse", kind="scale", measures="pulse", text_en=OLD_EN)
                     .exclude(pk__in=answered).select_related("survey")):
        kind, text_fr, text_en, choices = NEW[question.survey.audience]
        question.kind, question.text_fr, question.text_en, question.choices, question.measures = (
            kind, text_fr, text_en, choices, "")
        question.save(update_fields=["kind", "text_fr", "text_en", "choices", "measures"])


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0004_rating_releases")]

    operations = [migrations.RunPython(replace_duplicate, migrations.RunPython.noop)]
