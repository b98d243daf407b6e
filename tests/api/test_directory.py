"""The directory through the API: list and read with filters and pagination, and the bulk upsert
with the HRIS import's rules — all or nothing, every error named by its ``index N`` (JSON) or
``line N`` (CSV)."""

from mentorat.core.models import Employee
from tests.api.conftest import call


def person(eid, **fields):
    row = {"employee_id": eid, "first_name": "Ana", "last_name": eid, "email": f"{eid.lower()}@corp.example",
           "manager_id": "DA", "department": "Opérations", "job_level": 1, "hire_date": "2024-02-01"}
    row.update(fields)
    return row


def test_it_lists_and_reads_employees_with_iso_dates_and_filters(org, tokens):
    Employee.objects.filter(employee_id="JA").update(hire_date="2023-09-04")
    listed = call("get", "/api/employees/?department=Marketing", tokens["read"]).json()
    assert listed["count"] == 2 and {e["employee_id"] for e in listed["results"]} == {"DB", "JB"}
    one = call("get", "/api/employees/JA/", tokens["read"]).json()
    assert one["manager_id"] == "MA" and one["hire_date"] == "2023-09-04" and one["department"] == "Opérations"
    assert set(one) == {"employee_id", "first_name", "last_name", "email", "manager_id", "department", "site", "job_title",
                        "job_level", "language", "hire_date", "leave_date", "updated_at"}
    assert call("get", "/api/employees/NOBODY/", tokens["read"]).status_code == 404


def test_it_pages_the_list(org, coordinator, tokens):
    first = call("get", "/api/employees/?page_size=3", tokens["read"]).json()
    assert first["count"] == Employee.objects.count() and len(first["results"]) == 3 and first["next"]
    second = call("get", first["next"], tokens["read"]).json()
    assert not {e["employee_id"] for e in first["results"]} & {e["employee_id"] for e in second["results"]}


def test_a_bad_filter_is_refused_naming_the_parameter(org, tokens):
    response = call("get", "/api/employees/?updated_since=yesterday", tokens["read"])
    assert response.status_code == 400 and response.json()["field"] == "updated_since"
    response = call("get", "/api/employees/?status=gone", tokens["read"])
    assert response.status_code == 400 and response.json()["field"] == "status"


def test_bulk_upsert_creates_and_updates_in_one_go(org, tokens):
    response = call("post", "/api/employees/bulk/", tokens["directory"],
                    [person("N1"), person("N2", manager_id="N1"), person("JA", first_name="Juliette", last_name="A",
                                                                         email=org["junior_a"].email, manager_id="MA",
                                                                         job_level=1, hire_date=None)])
    assert response.status_code == 200, response.content
    assert response.json() | {"warnings": []} == {"applied": True, "created": 2, "updated": 1, "unchanged": 0, "left": 0,
                                                  "login_changes": 0, "warnings": []}
    assert Employee.objects.get(employee_id="N2").manager.employee_id == "N1"
    assert Employee.objects.get(employee_id="JA").first_name == "Juliette"


def test_bulk_upsert_is_all_or_nothing_and_names_each_bad_index(org, tokens):
    before = list(Employee.objects.order_by("pk").values_list("employee_id", "email", "first_name"))
    response = call("post", "/api/employees/bulk/", tokens["directory"], [
        person("N1"), person("N2", email="not-an-address"), person("N3", manager_id="GHOST"), person("N4")])
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "2 error(s): nothing was written."
    assert [error.split(":")[0] for error in body["errors"]] == ["index 1", "index 2"]
    assert "GHOST" in body["errors"][1]
    assert list(Employee.objects.order_by("pk").values_list("employee_id", "email", "first_name")) == before


def test_bulk_upsert_in_french_names_the_index_too(org, tokens):
    response = call("post", "/api/employees/bulk/", tokens["directory"], [person("N1"), person("N2", email="x")],
                    language="fr")
    assert response.status_code == 400 and response.json()["errors"][0].startswith("index 1 : ")


def test_a_csv_body_names_the_line(org, tokens):
    csv = "employee_id;first_name;last_name;email\nN1;Ana;Un;n1@corp.example\nN2;Bo;Deux;broken\n"
    response = call("post", "/api/employees/bulk/", tokens["directory"], csv.encode(), content_type="text/csv")
    assert response.status_code == 400 and response.json()["errors"][0].startswith("line 3: ")
    assert not Employee.objects.filter(employee_id__in=["N1", "N2"]).exists()
    response = call("post", "/api/employees/bulk/", tokens["directory"], csv.replace("broken", "n2@corp.example").encode(),
                    content_type="text/csv")
    assert response.status_code == 200 and response.json()["created"] == 2


def test_a_dry_run_writes_nothing(org, tokens):
    response = call("post", "/api/employees/bulk/?dry_run=true", tokens["directory"], [person("N1")])
    assert response.status_code == 200 and response.json()["applied"] is False and response.json()["created"] == 1
    assert not Employee.objects.filter(employee_id="N1").exists()


def test_items_must_give_the_same_fields(org, tokens):
    row = person("N2")
    del row["department"]
    response = call("post", "/api/employees/bulk/", tokens["directory"], [person("N1"), row, "text", {**person("N3"), "salary": 1}])
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors[0].startswith("index 1: missing field(s) that other items give: department")
    assert errors[1].startswith("index 2: expected an object") and errors[2].startswith("index 3: unknown field(s): salary")
    assert not Employee.objects.filter(employee_id__startswith="N").exists()


def test_marking_people_as_left_needs_the_confirmation(org, active_pair, tokens):
    # The mentee of a pair leaves: named in the import's rules, so confirm_departures is needed.
    row = person("DA", first_name=org["director_a"].first_name, last_name=org["director_a"].last_name,
                 email=org["director_a"].email, manager_id="CEO", job_level=5, leave_date="2027-03-01", hire_date=None)
    response = call("post", "/api/employees/bulk/", tokens["directory"], [row])
    assert response.status_code == 400 and "confirm_departures" in response.json()["errors"][0]
    assert Employee.objects.get(employee_id="DA").leave_date is None
    response = call("post", "/api/employees/bulk/?confirm_departures=true", tokens["directory"], [row])
    assert response.status_code == 200 and response.json()["left"] == 1
