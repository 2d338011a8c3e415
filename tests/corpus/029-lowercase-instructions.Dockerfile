# syntax=docker/dockerfile:1
arg PYTHON_VERSION=3.12
from python:${PYTHON_VERSION}-slim as build
workdir /src
copy requirements.txt .
run --mount=type=cache,target=/root/.cache/pip \
    pip wheel --wheel-dir /wheels -r requirements.txt
from python:${PYTHON_VERSION}-slim
env PYTHONUNBUFFERED=1
copy --from=build /wheels /wheels
run pip install --no-index /wheels/*.whl && rm -rf /wheels
onbuild run echo "child build"
healthcheck cmd python -c "import sys; sys.exit(0)"
expose 8000
user nobody
cmd ["python", "-m", "http.server"]
