# platform=linux/amd64
# escape=`
FROM python:3.12-slim
RUN pip install --no-cache-dir \
    django
RUN echo `
