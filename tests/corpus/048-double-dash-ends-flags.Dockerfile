FROM python:3.12-slim
RUN --mount=type=cache,target=/root/.cache/pip -- pip install -r requirements.txt
RUN -- --version-looks-like-a-flag
RUN --network=none --
RUN ---triple-dash echo odd
RUN -x --not-a-flag-after-a-single-dash
COPY -- --weird-name.txt /app/
