# escape=`
FROM mcr.microsoft.com/windows/servercore:ltsc2022
RUN --mount=type=cache,target=C:\Users\ContainerUser\AppData\Local\pip\Cache `
    python -m pip install -r requirements.txt
COPY --chown=ContainerUser --from=build C:\build\dist C:\app
