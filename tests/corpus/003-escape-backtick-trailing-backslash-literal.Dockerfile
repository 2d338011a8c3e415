# escape=`
FROM python:3.11-windowsservercore-ltsc2022
WORKDIR C:\src
# copied from a Linux Dockerfile: with the backtick escape the trailing
# backslash is literal, so every following line is a new instruction
RUN pip install --upgrade pip \
    setuptools wheel
RUN pip install -r requirements.txt `
    --no-cache-dir
CMD ["python", "-m", "service"]
