import factory

from mentorat.core.models import Department, Employee, Site, User
from mentorat.core.services import orgchart_rebuild_paths


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@test.example")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    language = "fr"
    password = factory.PostGenerationMethodCall("set_password", "secret-pass-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Department {n}")


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Site {n}")


class EmployeeFactory(factory.django.DjangoModelFactory):
    """An employee with an account; the org-chart path is rebuilt after each creation."""

    class Meta:
        model = Employee
        skip_postgeneration_save = True

    employee_id = factory.Sequence(lambda n: f"T{n:05d}")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    email = factory.Sequence(lambda n: f"employee{n}@test.example")
    job_level = 1
    department = factory.SubFactory(DepartmentFactory)
    site = factory.SubFactory(SiteFactory)
    user = factory.SubFactory(
        UserFactory,
        email=factory.SelfAttribute("..email"),
        first_name=factory.SelfAttribute("..first_name"),
        last_name=factory.SelfAttribute("..last_name"),
    )

    @factory.post_generation
    def _paths(obj, create, extracted, **kwargs):
        if create:
            orgchart_rebuild_paths()
            obj.refresh_from_db(fields=["path", "depth"])
