# syntax=docker/dockerfile:1
FROM python:3.12-slim
RUN <<EOF
set -eux
apt-get update
apt-get install -y --no-install-recommends curl
rm -rf /var/lib/apt/lists/*
EOF
RUN --mount=type=cache,target=/root/.cache/pip <<EOF
pip install --upgrade pip
pip install -r requirements.txt
EOF
COPY <<EOF /etc/pip.conf
[global]
index-url = https://pypi.org/simple
no-cache-dir = false
EOF
