# syntax=docker/dockerfile:1
FROM python:3.12-slim
RUN cat <<EOF >> /root/.bashrc # don't edit by hand
export PATH=/opt/venv/bin:$PATH
EOF
RUN cat <<EOF > /root/.pip/pip.conf
[global]
timeout = 60
EOF
