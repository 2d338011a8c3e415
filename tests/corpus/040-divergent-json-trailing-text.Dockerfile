FROM python:3.12-slim
WORKDIR /app
COPY . .
ENTRYPOINT ["tini", "--"]]
CMD ["gunicorn", "app:app"] # start the web server
RUN ["pip", "install", "-e", "."] && echo installed
