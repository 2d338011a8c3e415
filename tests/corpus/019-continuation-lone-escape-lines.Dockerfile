FROM python:3.12-slim
RUN pip install \
\
    requests \
    \
    urllib3
\
ENV PIP_DISABLE_PIP_VERSION_CHECK=1
