from handlers.cli import cli

cli(prog_name="python -m handlers")
