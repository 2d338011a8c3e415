# syntax=docker/dockerfile:1
FROM python:3.11-slim
RUN pip install --no-cache-dir pipenv==2024.0.1
RUN useradd --create-home --uid 1000 --shell /bin/bash appuser
USER appuser
WORKDIR /home/appuser/app
ENV PIPENV_VENV_IN_PROJECT=1 \
    PIPENV_CACHE_DIR=/home/appuser/.cache/pipenv
COPY --chown=appuser:appuser Pipfile Pipfile.lock ./
RUN --mount=type=cache,target=/home/appuser/.cache/pipenv,uid=1000,gid=1000 \
    pipenv install --deploy --ignore-pipfile
COPY --chown=appuser:appuser . .
CMD ["pipenv", "run", "python", "-m", "app"]
