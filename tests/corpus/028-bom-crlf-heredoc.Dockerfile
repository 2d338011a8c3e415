# syntax=docker/dockerfile:1.4
FROM python:3.12-slim
RUN <<EOF
set -eux
python -m venv /opt/venv
/opt/venv/bin/pip install --upgrade pip
EOF
ENV PATH="/opt/venv/bin:$PATH"
