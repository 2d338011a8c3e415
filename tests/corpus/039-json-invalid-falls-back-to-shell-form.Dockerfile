FROM python:3.12-slim
CMD ['python', 'app.py']
CMD ["python", "app.py",]
CMD ["python" "app.py"]
CMD ["python", "app.py"
CMD ["python",	"app	py"]
CMD ["C:\app"]
RUN [ pip install flask ]
COPY ["a.txt" "b.txt"] /dst/
COPY [requirements.txt, /app/]
VOLUME [/data]
ENTRYPOINT ["python", "-m", "app"
SHELL ["/bin/sh", "-c"
