# syntax=docker/dockerfile:1.7
FROM python:3.12-slim
ARG UID=1000
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    --mount=type=cache,target=/var/lib/apt,sharing=locked \
    rm -f /etc/apt/apt.conf.d/docker-clean && \
    apt-get update && apt-get install -y --no-install-recommends gcc
RUN --mount=type=cache,id=pip-${UID},target=/home/app/.cache/pip,uid=1000,gid=1000,mode=0755,sharing=shared \
    --mount=type=bind,source=requirements.txt,target=/tmp/requirements.txt,ro \
    --mount=type=secret,id=pypi_token,env=PIP_INDEX_URL,required=true \
    --mount=type=ssh,id=default \
    --mount=type=tmpfs,target=/tmp/build,size=512m \
    --mount=from=ghcr.io/astral-sh/uv:0.4,source=/uv,target=/bin/uv \
    --network=default \
    pip install -r /tmp/requirements.txt
RUN --network=none --security=insecure python -c "print('offline')"
RUN --mount=type=cache,dst=/root/.cache/uv,readonly=false --mount=type=cache,destination=/root/.cache/pip,rw pip --version
