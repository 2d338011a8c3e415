FROM python:3.12-slim
ENV VIRTUAL_ENV=/opt/venv PATH=/opt/venv/bin:$PATH
ENV LANG C.UTF-8
LABEL org.opencontainers.image.licenses=MIT
LABEL vendor "Example Inc."
ONBUILD ENV APP_ENV=prod
