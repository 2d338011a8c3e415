# escape=`
# syntax=docker/dockerfile:1
FROM python:3.12-slim
RUN --mount=type=cache,target=/root/.cache/pip `
    --mount=type=bind,source=requirements.txt,target=/tmp/req.txt `
    pip install -r /tmp/req.txt
RUN <<EOF
echo "a backslash at the end of a heredoc line is literal \
echo anyway"
EOF
RUN python -c "print('C:\\tmp')"
ENV WINPATH=C:\Users\app DOUBLE="a`"b"
