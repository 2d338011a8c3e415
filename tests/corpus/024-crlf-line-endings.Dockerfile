# syntax=docker/dockerfile:1
FROM python:3.11-slim AS base
ENV PIP_NO_CACHE_DIR=off \
    PIP_DISABLE_PIP_VERSION_CHECK=on
WORKDIR /code
COPY requirements.txt /code/
RUN --mount=type=cache,target=/root/.cache/pip \
    # comment inside continuation
    pip install -r requirements.txt
COPY <<EOF /code/settings.ini
[app]
debug = false
EOF
CMD ["python", "manage.py", "runserver", "0.0.0.0:8000"]
