# Mentorat: one image for the web server (default CMD), the Celery worker, Celery beat and
# the one-shot migration (see docker-compose.yml for how each is started).
#
#   docker build -t mentorat .
#
# No HEALTHCHECK here on purpose: the same image runs the worker and beat, which serve no HTTP.
# docker-compose.yml gives the web service its /health/ check.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MENTORAT_VAR_DIR=/app/var \
    STATIC_ROOT=/app/staticfiles

# Unprivileged runtime user. The code stays root-owned (read-only for the app); only
# /app/var (Celery beat schedule, file-based mail) is writable.
RUN groupadd --system --gid 10001 mentorat \
 && useradd --system --uid 10001 --gid mentorat --no-create-home --home-dir /app \
      --shell /usr/sbin/nologin mentorat

WORKDIR /app

# Dependencies in their own layer, rebuilt only when pyproject.toml changes.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
      > /tmp/requirements.txt \
 && pip install -r /tmp/requirements.txt \
 && rm /tmp/requirements.txt

COPY . .

# The project itself. Editable on purpose: settings find templates/, static/ and locale/
# relative to the package (BASE_DIR), so the code must be imported from /app, whatever the
# working directory (manage.py, gunicorn, celery).
RUN pip install --no-deps -e .

# Translations (polib, no gettext) and static files (whitenoise manifest storage, so DEBUG=0).
# The SECRET_KEY below exists only for this build step; it is not kept in the image.
RUN DEBUG=0 SECRET_KEY=build-only-dummy-key-for-collectstatic-never-used-at-runtime \
      python manage.py compile_translations \
 && DEBUG=0 SECRET_KEY=build-only-dummy-key-for-collectstatic-never-used-at-runtime \
      python manage.py collectstatic --noinput \
 && mkdir -p /app/var \
 && chown mentorat:mentorat /app/var

USER mentorat

EXPOSE 8000

CMD ["gunicorn", "mentorat.wsgi:application", \
     "--bind", "0.0.0.0:8000", \
     "--workers", "3", \
     "--timeout", "60", \
     "--graceful-timeout", "30", \
     "--worker-tmp-dir", "/dev/shm", \
     "--access-logfile", "-", \
     "--error-logfile", "-"]
