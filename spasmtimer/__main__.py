from spasmtimer.cli import run

run()
