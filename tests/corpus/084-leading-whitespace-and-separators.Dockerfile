FROM python:3.12-slim
    RUN   pip install flask  
	CMD	["flask", "run"]
RUN	pip	install	gunicorn
  ENV  A=1   B=2  
EXPOSE 808182
