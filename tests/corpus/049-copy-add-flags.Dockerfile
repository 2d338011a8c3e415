# syntax=docker/dockerfile:1.7-labs
FROM python:3.12-slim AS build
WORKDIR /src
COPY --parents --exclude=*.pyc --exclude=**/__pycache__ ./pkg/**/*.py /src/
RUN python -m compileall /src
FROM python:3.12-slim
ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/tool.tar.gz /opt/
ADD --keep-git-dir=true https://github.com/example/project.git#v1.2.3 /opt/project
COPY --from=build --chown=1000:1000 --chmod=755 --link /src /app
COPY --link=false --chmod=u=rwX,go=rX requirements.txt /app/
