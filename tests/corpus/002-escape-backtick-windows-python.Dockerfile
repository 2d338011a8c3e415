# escape=`

FROM mcr.microsoft.com/windows/servercore:ltsc2022
SHELL ["powershell", "-Command", "$ErrorActionPreference = 'Stop'; $ProgressPreference = 'SilentlyContinue';"]

ENV PYTHON_VERSION=3.12.4 `
    PYTHON_HOME=C:\Python312 `
    PIP_CACHE_DIR=C:\pip-cache\

WORKDIR C:\app\
RUN Invoke-WebRequest -Uri "https://www.python.org/ftp/python/$env:PYTHON_VERSION/python-$env:PYTHON_VERSION-amd64.exe" -OutFile python.exe ; `
    Start-Process python.exe -Wait -ArgumentList '/quiet InstallAllUsers=1 PrependPath=1' ; `
    Remove-Item python.exe -Force
COPY requirements.txt C:\app\
RUN python -m pip install --no-cache-dir -r C:\app\requirements.txt
COPY . C:\app\
CMD ["python", "C:\\app\\main.py"]
