import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from programmes.imports import applications_import
from programmes.models import Application

HEADER = "employee_id,role,domains,languages,format,availability,capacity,motivation"


def data(*lines):
    return ("\n".join([HEADER, *lines]) + "\n").encode()


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.mark.django_db
class TestImportApplications:
    def test_it_imports_approved_applications(self, programme, org):
        count, errors = applications_import(programme=programme, dry_run=False, data=data(
            "JA,mentor,generative-ai:3|social-media:2,fr|en,remote,mon-am|tue-pm,2,Motivée",
            "DA,mentee,generative-ai:2,fr,either,mon-am,,",
        ))
        assert (count, errors) == (2, [])
        ja = Application.objects.get(employee=org["junior_a"])
        assert ja.status == "approved" and ja.source == "import" and ja.capacity == 2 and ja.languages == ["fr", "en"]
        assert Application.objects.get(employee=org["director_a"]).role == "mentee"

    def test_every_error_with_its_line_and_nothing_written(self, programme, org):
        _count, errors = applications_import(programme=programme, dry_run=False, data=data(
            "JA,mentor,generative-ai:3,fr,remote,mon-am,1,ok",
            "ZZ,mentor,generative-ai:3,fr,remote,mon-am,1,",
            "JB,coach,generative-ai:3,fr,remote,mon-am,1,",
            "JA,mentor,generative-ai:3,fr,remote,mon-am,1,",
            "MA,mentee,generative-ai:3,fr,remote,mon-am,,",
            "DB,mentee,metaverse:3,fr,hybrid,sun-am,,",
        ))
        assert Application.objects.count() == 0
        joined = "\n".join(errors)
        for fragment in ["line 3: employee id ZZ", "line 4: role “coach”", "line 5: employee id JA already appears on line 2",
                         "line 6: Mentees of this programme", "line 7: domain “metaverse”", "line 7: format “hybrid”",
                         "line 7: availability"]:
            assert fragment in joined, (fragment, errors)

    def test_the_command_exits_1_on_errors_and_supports_dry_run(self, programme, org, tmp_path, capsys):
        path = tmp_path / "apps.csv"
        path.write_bytes(data("JA,mentor,generative-ai:3,fr,remote,mon-am,1,ok"))
        call_command("import_applications", programme.slug, str(path), "--dry-run")
        assert "1 application(s)" in capsys.readouterr().out and not Application.objects.exists()
        call_command("import_applications", programme.slug, str(path))
        assert Application.objects.count() == 1
        with pytest.raises(CommandError) as excinfo:
            call_command("import_applications", programme.slug, str(path))
        assert excinfo.value.returncode == 1 and "already has an application" in capsys.readouterr().err
