FROM python:3.12-slim
ENV GREETING=hello world
CMD ["python"]
