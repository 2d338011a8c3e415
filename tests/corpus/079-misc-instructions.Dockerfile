FROM python:3.12-slim
MAINTAINER Jane Doe <jane@example.com>
STOPSIGNAL SIGINT
WORKDIR /srv/my app
EXPOSE 8000/tcp  9090/udp	8443
USER 1000:1000
VOLUME /data /logs
VOLUME ["/cache"]
SHELL ["/bin/bash", "-c"]
SHELL /bin/sh -c
ENTRYPOINT exec python -m app
CMD --help
