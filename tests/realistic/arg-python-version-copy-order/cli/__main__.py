import typer

typer.run(lambda: print("hi"))
