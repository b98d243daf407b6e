"""The cast, each with a stated right:

- ``coordinator``: HR programme owner, manages the directory (site-wide role);
- ``executive``: sees the organisation and, later, every dashboard (site-wide role);
- ``superuser``: the only one admitted to the Django admin;
- ``mentor`` / ``mentee``: a junior and a senior employee with no site-wide role (per-programme
  roles come with the programmes issue), ``mentee`` two levels above in another branch;
- ``outsider``: an employee with no role at all.
"""

import os

import pytest
from django.test import Client

from tests.factories import DepartmentFactory, EmployeeFactory, UserFactory

PASSWORD = "secret-pass-123"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def org(db):
    """A small company: ceo → (director_a → manager_a → junior_a), (director_b → junior_b)."""
    dept_a = DepartmentFactory(name="Opérations")
    dept_b = DepartmentFactory(name="Marketing")
    ceo = EmployeeFactory(employee_id="CEO", job_level=6, department=dept_a)
    director_a = EmployeeFactory(employee_id="DA", manager=ceo, job_level=5, department=dept_a)
    manager_a = EmployeeFactory(employee_id="MA", manager=director_a, job_level=3, department=dept_a)
    junior_a = EmployeeFactory(employee_id="JA", manager=manager_a, job_level=1, department=dept_a)
    director_b = EmployeeFactory(employee_id="DB", manager=ceo, job_level=5, department=dept_b)
    junior_b = EmployeeFactory(employee_id="JB", manager=director_b, job_level=1, department=dept_b)
    return {
        "ceo": ceo, "director_a": director_a, "manager_a": manager_a, "junior_a": junior_a,
        "director_b": director_b, "junior_b": junior_b,
    }


@pytest.fixture
def coordinator(db):
    return EmployeeFactory(employee_id="COORD", job_level=4, user__is_coordinator=True).user


@pytest.fixture
def executive(db):
    return EmployeeFactory(employee_id="EXEC", job_level=6, user__is_executive=True).user


@pytest.fixture
def superuser(db):
    return UserFactory(email="root@test.example", is_superuser=True, is_staff=True)


@pytest.fixture
def mentor(org):
    return org["junior_b"].user


@pytest.fixture
def mentee(org):
    return org["director_a"].user


@pytest.fixture
def outsider(db):
    return EmployeeFactory(employee_id="OUT", job_level=2).user


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client
