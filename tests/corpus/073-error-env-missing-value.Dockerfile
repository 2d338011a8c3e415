FROM python:3.12-slim
ENV PIP_NO_CACHE_DIR
RUN pip install flask
