# syntax=docker/dockerfile:1
FROM python:3.12-slim
ARG PYTHON_VERSION=3.12.4
RUN cat <<EOF > /etc/python-${PYTHON_VERSION%.*}.txt
${PYTHON_VERSION}
EOF
RUN <<EOF python${PYTHON_VERSION//./}
print("x")
EOF
