# syntax=docker/dockerfile:1
FROM python:3.12-slim
RUN --mount="type=cache,target=/root/.cache/pip dir" pip install flask
RUN --mount='type=cache,target=/root/.cache/pip,id=single quoted' pip install flask
RUN --mount=type=cache,target="/root/.cache/pip",sharing=locked pip install flask
RUN --mount=type=secret,id=netrc,target=/root/.netrc\,x --mount=type=bind,source=a\ b,target=/c pip install flask
RUN --mount="" --mount='' pip --version
RUN --"mount"=type=cache,target=/x pip --version
COPY --chown="app:app" --chmod='0755' entrypoint.sh /usr/local/bin/
