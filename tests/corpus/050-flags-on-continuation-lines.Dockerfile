# syntax=docker/dockerfile:1
FROM python:3.12-slim
COPY --from=ghcr.io/astral-sh/uv:0.4.20 /uv /uvx /bin/
ENV UV_LINK_MODE=copy UV_COMPILE_BYTECODE=1
WORKDIR /app
# Install dependencies
RUN --mount=type=cache,target=/root/.cache/uv \
    --mount=type=bind,source=uv.lock,target=uv.lock \
    # bind the project metadata too
    --mount=type=bind,source=pyproject.toml,target=pyproject.toml \
	--network=default \
    uv sync --locked --no-install-project
COPY . /app
RUN \
    --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked
COPY \
  --chown=1000:1000 \
  --chmod=0644 \
  config.toml /app/
