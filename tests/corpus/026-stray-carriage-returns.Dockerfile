FROM python:3.12-slim
RUN echo "onetwo" > /tmp/cr.txt
RUN pip install flask \
    gunicorn
RUN pip install celery \ 
    redis
# comment with a straycarriage return

ENV A=b