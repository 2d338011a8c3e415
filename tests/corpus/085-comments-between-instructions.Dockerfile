# syntax=docker/dockerfile:1
# Stage 1: build
FROM python:3.12-slim AS build  
   # indented comment
RUN pip install build # inline hash is part of the command
#RUN pip install disabled
COPY . /src
# Stage 2
FROM python:3.12-slim
COPY --from=build /src/dist /dist
