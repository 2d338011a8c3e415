FROM python:3.12-slim
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
WORKDIR /app
COPY ["requirements.txt", "constraints.txt", "/app/"]
ADD ["https://example.com/files/data.tar.gz", "/opt/data/"]
RUN ["pip", "install", "--no-cache-dir", "-r", "requirements.txt", "-c", "constraints.txt"]
COPY --chown=1000:1000 ["src/", "/app/src/"]
VOLUME ["/app/data", "/app/logs"]
HEALTHCHECK --interval=30s --start-period=10s CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://localhost:8000/health')"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD   [ "python" ,"-m","app" ]  
