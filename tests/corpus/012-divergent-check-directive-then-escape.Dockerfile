# syntax=docker/dockerfile:1
# check=skip=JSONArgsRecommended,StageNameCasing
# escape=`
FROM python:3.12-windowsservercore AS Build
RUN pip install `
    -r requirements.txt
CMD python app.py
