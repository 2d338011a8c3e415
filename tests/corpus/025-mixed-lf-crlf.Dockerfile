FROM python:3.12-slim
RUN apt-get update && \
    apt-get install -y git \
    && rm -rf /var/lib/apt/lists/*

COPY pyproject.toml poetry.lock ./
RUN pip install poetry==1.8.3 \

    && poetry config virtualenvs.create false
RUN <<EOF
poetry install --no-root
EOF
CMD ["poetry", "run", "app"]
