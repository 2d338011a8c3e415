FROM python:3.12-slim
LABEL maintainer="Jane Doe <jane@example.com>"
LABEL org.opencontainers.image.title="example-api" \
      org.opencontainers.image.version=1.4.2 \
      org.opencontainers.image.description="An \"example\" API"
LABEL description "legacy form with spaces"
LABEL "com.example.quoted-key"="v" 'single.quoted'=yes
LABEL multi.line="first \
second"
