# Defining environment
ARG APP_ENV=full
ARG PYTHON_VERSION=3.10

# INLINE-BEGIN @/docker/snippets/ingestion_base
# This is the "base" image workflow.
# While it has a bunch of intermediate stages, it "exports" a couple
# stages for consumption.
# - base-empty: A basic stage, with basic deps, Python, and a venv.
# - base-full: Adds a JRE and Oracle client.

FROM ubuntu:24.04 AS base-empty

# TODO: This may not work on Ubuntu 24.04 due to the new deb822 package format.
ARG UBUNTU_REPO_URL=http://ports.ubuntu.com/ubuntu-ports
RUN if [ "${UBUNTU_REPO_URL}" != "http://ports.ubuntu.com/ubuntu-ports" ] ; then sed -i "s#http.*://ports.ubuntu.com/ubuntu-ports#${UBUNTU_REPO_URL}#g" /etc/apt/sources.list ; fi

ENV DEBIAN_FRONTEND=noninteractive

# Optimized for caching and minimal layer count
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    --mount=type=cache,target=/var/lib/apt,sharing=locked \
    apt-get update && apt-get install -y -qq \
    python3-ldap \
    libldap2-dev \
    libsasl2-dev \
    libsasl2-modules \
    libaio-dev \
    libaio1t64 \
    libsasl2-modules-gssapi-mit \
    krb5-user \
    krb5-config \
    libkrb5-dev \
    librdkafka-dev \
    git \
    wget \
    curl \
    zip \
    unzip \
    ldap-utils \
    unixodbc \
    libodbc2 \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/* /var/cache/apk/*

# Set up the default python virtual environment.
COPY --from=ghcr.io/astral-sh/uv:0.4.18 /uv /uvx /bin/

ARG PYTHON_VERSION
RUN test -n "${PYTHON_VERSION}"  # PYTHON_VERSION must be set

RUN addgroup --gid 1001 datahub && \
    adduser --disabled-password --uid 1001 --gid 1001 --home /datahub-ingestion datahub
USER datahub
WORKDIR /datahub-ingestion
ENV VIRTUAL_ENV=/datahub-ingestion/.venv
ENV PATH="${VIRTUAL_ENV}/bin:$PATH"
RUN uv venv --python "$PYTHON_VERSION" $VIRTUAL_ENV && \
    uv pip install --no-cache --upgrade pip setuptools wheel

FROM base-empty AS full-deps-prebuild

USER 0
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    --mount=type=cache,target=/var/lib/apt,sharing=locked \
    apt-get update && apt-get install --no-install-recommends -y -qq \
    default-jre-headless \
    && rm -rf /var/lib/apt/lists/* /var/cache/apk/*

RUN if [ $(arch) = "x86_64" ]; then \
    mkdir /opt/oracle && \
    cd /opt/oracle && \
    wget --no-verbose -c https://download.oracle.com/otn_software/linux/instantclient/2115000/instantclient-basic-linux.x64-21.15.0.0.0dbru.zip && \
    unzip instantclient-basic-linux.x64-21.15.0.0.0dbru.zip && \
    rm instantclient-basic-linux.x64-21.15.0.0.0dbru.zip && \
    sh -c "echo /opt/oracle/instantclient_21_15 > /etc/ld.so.conf.d/oracle-instantclient.conf" && \
    ldconfig; \
    else \
    mkdir /opt/oracle && \
    cd /opt/oracle && \
    wget --no-verbose -c https://download.oracle.com/otn_software/linux/instantclient/1923000/instantclient-basic-linux.arm64-19.23.0.0.0dbru.zip && \
    unzip instantclient-basic-linux.arm64-19.23.0.0.0dbru.zip && \
    rm instantclient-basic-linux.arm64-19.23.0.0.0dbru.zip && \
    sh -c "echo /opt/oracle/instantclient_19_23 > /etc/ld.so.conf.d/oracle-instantclient.conf" && \
    ldconfig; \
    fi;

USER datahub

FROM base-empty AS full-deps-prebuild-empty
# INLINE-END

FROM ${APP_ENV}-deps-prebuild AS base

FROM base AS slim-install

COPY --chown=datahub ./metadata-ingestion /metadata-ingestion
COPY --chown=datahub ./datahub-actions /datahub-actions
# Add other default configurations into this!
RUN mkdir -p /etc/datahub/actions && mkdir -p /tmp/datahub/logs/actions/system
COPY --chown=datahub ./docker/datahub-actions/config /etc/datahub/actions/system/conf

ARG RELEASE_VERSION
RUN test -n "$RELEASE_VERSION"
RUN --mount=type=bind,source=./python-build/version_updater.py,target=/version_updater.py \
    python /version_updater.py --directory /metadata-ingestion/ --version "$RELEASE_VERSION" --expected-update-count 1 && \
    python /version_updater.py --directory /datahub-actions/ --version "$RELEASE_VERSION" --expected-update-count 1

# For the slim image, we don't install all the plugins.
RUN --mount=type=cache,target=/datahub-ingestion/.cache/uv,uid=1001,gid=1001 \
    UV_LINK_MODE=copy uv pip install -e "/metadata-ingestion/[base,s3,gcs,abs]" && \
    UV_LINK_MODE=copy uv pip install -e "/datahub-actions/[all]"

FROM base AS full-install

COPY --chown=datahub ./metadata-ingestion /metadata-ingestion
COPY --chown=datahub ./datahub-actions /datahub-actions

RUN --mount=type=cache,target=/datahub-ingestion/.cache/uv,uid=1001,gid=1001 \
    UV_LINK_MODE=copy uv pip install -e "/metadata-ingestion/[all]" && \
    UV_LINK_MODE=copy uv pip install -e "/datahub-actions/[all]"

FROM ${APP_ENV}-install AS final

ENV PATH="/datahub-ingestion/.local/bin:$PATH"
COPY --chown=datahub --chmod=755 ./docker/datahub-actions/start.sh /start_datahub_actions.sh
COPY --chown=datahub ./docker/datahub-actions/readiness-check.sh /readiness-check.sh
RUN chmod a+x /start_datahub_actions.sh && \
    mkdir -p /etc/datahub/actions && \
    mkdir -p /tmp/datahub/logs/actions/system && \
    chown -R datahub:datahub /etc/datahub /tmp/datahub

USER datahub
ENTRYPOINT [ ]
CMD dockerize -wait ${DATAHUB_GMS_PROTOCOL:-http}://$DATAHUB_GMS_HOST:$DATAHUB_GMS_PORT/health -timeout 240s /start_datahub_actions.sh
HEALTHCHECK --interval=30s --timeout=5s --retries=3 CMD /readiness-check.sh
