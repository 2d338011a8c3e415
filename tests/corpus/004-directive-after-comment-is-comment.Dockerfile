# Build image for the API service
# escape=`
FROM python:3.12-slim
RUN pip install --no-cache-dir \
    fastapi \
    "uvicorn[standard]"
RUN echo done `
CMD ["uvicorn", "api:app", "--host", "0.0.0.0"]
