# syntax=docker/dockerfile:1.5
FROM python:3.12-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq5 curl \
 && rm -rf /var/lib/apt/lists/*

FROM base AS deps
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    apt-get update && apt-get install -y --no-install-recommends build-essential libpq-dev
COPY requirements/ /tmp/requirements/
RUN --mount=type=cache,target=/root/.cache/pip \
    python -m venv /venv && \
    /venv/bin/pip install -r /tmp/requirements/production.txt

FROM base AS app
ARG UID=10001
RUN adduser --disabled-password --gecos "" --home "/nonexistent" --shell "/sbin/nologin" --no-create-home --uid "${UID}" appuser
COPY --from=deps /venv /venv
ENV PATH=/venv/bin:$PATH DJANGO_SETTINGS_MODULE=config.settings.production
WORKDIR /app
COPY --chown=appuser:appuser . .
RUN DJANGO_SECRET_KEY=build-only python manage.py collectstatic --noinput
USER appuser
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s \
    CMD curl --fail http://localhost:8000/healthz/ || exit 1
STOPSIGNAL SIGTERM
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
