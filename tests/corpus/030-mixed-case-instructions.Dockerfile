From python:3.12-slim As Builder
wORKDIR /app
CoPy pyproject.toml .
rUN --MOUNT=type=cache,target=/root/.cache/pip pip install build
Run python -m build --wheel
FROM python:3.12-slim aS runtime
Copy --From=Builder /app/dist/*.whl /tmp/
eNv PIP_ROOT_USER_ACTION=ignore
RuN pip install /tmp/*.whl
Entrypoint ["python", "-m", "mypkg"]
