FROM python:3.12-slim
COPY app.py .
ENTRYPOINT [8000] # TODO: wrong, should be the command
