# syntax=docker/dockerfile:1
FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt .
# continuation right after the comma, no indentation: flag stays whole
RUN --mount=type=cache,\
target=/root/.cache/pip \
    pip install -r requirements.txt
# indented continuation: the flag ends at the comma and the rest is the command
RUN --mount=type=cache,\
    target=/root/.cache/pip \
    pip install -r requirements-dev.txt
