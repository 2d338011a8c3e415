# syntax=docker/dockerfile:1
FROM python:3.12-slim
RUN cat <<EOF>/etc/pip.conf
[global]
no-cache-dir = true
EOF
