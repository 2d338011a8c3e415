FROM python:3.12-slim
# this comment ends with a backslash \
RUN apt-get update \
    # build deps for psycopg
    && apt-get install -y --no-install-recommends \
        gcc \
        libpq-dev \

    # cleanup
  && rm -rf /var/lib/apt/lists/*
RUN pip install \
#   numpy \
    pandas \
    	# tab-indented comment
    pyarrow
RUN echo "# not a comment" # also not a comment
  # indented comment at top level
#no-space comment
CMD ["python"]
