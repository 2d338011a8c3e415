from aiohttp import web

app = web.Application()
web.run_app(app, port=8080)
