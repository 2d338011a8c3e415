FROM python:3.12-slim
RUN printf '%s\n' 'ends with a literal backslash \\
RUN echo "two then one" \\\
RUN echo next
LABEL windows.path=C:\\
LABEL other=1
