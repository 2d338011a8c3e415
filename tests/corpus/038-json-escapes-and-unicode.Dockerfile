FROM python:3.12-slim
LABEL description="Café ☕ service"
ENTRYPOINT ["python", "-c", "print(\"caf\u00e9 \ud83d\ude00\")", "tab\there", "back\\slash", "sl\/ash"]
CMD []
CMD [""]
CMD ["naïve", "日本語", "😀"]
RUN ["/bin/sh", "-c", "echo \"quoted\" && echo 'single'"]
RUN ["python", "-c", "import sys; print(sys.argv)", "\ud800"]
