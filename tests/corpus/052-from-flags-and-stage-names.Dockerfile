ARG PYTHON_VERSION=3.12
ARG BASE=python:${PYTHON_VERSION}-slim
FROM --platform=$BUILDPLATFORM ${BASE} AS builder
ARG TARGETPLATFORM
RUN pip wheel --wheel-dir /w numpy
FROM --platform=linux/amd64 ${BASE} as runtime
COPY --from=builder /w /w
FROM runtime
FROM scratch AS export
COPY --from=builder /w /
