# syntax=docker/dockerfile:1
FROM python:3.12-slim
RUN --mount=type=cache,target=/root/.cache/pip \
    --mount=type=bind,source=requirements.txt,target=/tmp/req.txt \
    <<EOF
pip install -r /tmp/req.txt
EOF
RUN <<EOF \
  bash -ex
echo "interpreter came from the continuation line"
EOF
COPY \
    <<EOF /app/VERSION
1.2.3
EOF
