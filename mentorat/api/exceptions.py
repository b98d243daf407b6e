"""Every error of the API as JSON: ``{"detail": …, "field": …, "errors": …}``, the field named
whenever the error is about one (a form field, a query parameter, a row of a bulk call)."""

from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from mentorat.core.errors import ServiceError


class BulkRefused(Exception):
    """A bulk call refused whole: ``errors`` are ``line N: …`` or ``index N: …``."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def bulk_refusal(errors: list[str]) -> Response:
    return Response({"detail": _("%(count)s error(s): nothing was written.") % {"count": len(errors)}, "field": None,
                     "errors": errors}, status=status.HTTP_400_BAD_REQUEST)


def _first(errors, path=()):
    """(field path, message) of the first message in DRF's nested error structure."""
    if isinstance(errors, dict):
        for key, value in errors.items():
            found = _first(value, path + (str(key),))
            if found:
                return found
    elif isinstance(errors, list):
        for index, value in enumerate(errors):
            found = _first(value, path + ((str(index),) if isinstance(value, dict | list) else ()))
            if found:
                return found
    elif errors:
        return ".".join(path), str(errors)
    return None


def api_exception_handler(exc, context):
    if isinstance(exc, BulkRefused):
        return bulk_refusal(exc.errors)
    if isinstance(exc, ServiceError):
        return Response({"detail": exc.message, "field": exc.field}, status=status.HTTP_400_BAD_REQUEST)
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        found = _first(response.data) or ("", "")
        field = found[0] if found[0] not in ("", "non_field_errors", "detail") else None
        response.data = {"detail": found[1], "field": field, "errors": response.data}
    elif isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"detail": str(response.data["detail"]), "field": None}
    return response
