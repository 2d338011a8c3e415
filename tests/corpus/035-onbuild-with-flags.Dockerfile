# syntax=docker/dockerfile:1
FROM python:3.12-slim
RUN useradd --create-home --uid 1000 app
ONBUILD RUN --mount=type=cache,target=/root/.cache/pip \
            --mount=type=bind,source=requirements.txt,target=/tmp/requirements.txt \
    pip install -r /tmp/requirements.txt
ONBUILD COPY --chown=app:app --chmod=644 . /home/app/src
ONBUILD ADD --link https://example.com/wheels/internal-1.0-py3-none-any.whl /tmp/
ONBUILD HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import app"
USER app
