FROM python:3.12-slim
RUN pip install "uvicorn[standard]" 'pydantic<2' pandas\<3
RUN python -c 'print(1 << 4)' && python -c "print(2<<3)"
RUN echo $HOME # a hash inside RUN is not a comment
RUN echo '\' && echo "\\" && echo \\
CMD echo "shell form with [brackets]"
COPY requirements*.txt ./
COPY "a file.txt" /app/
