# syntax=docker/dockerfile:1
# check=skip=JSONArgsRecommended
# check=error=true
FROM python:3.12-slim
CMD python -m app
