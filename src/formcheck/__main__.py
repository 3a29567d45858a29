"""``python -m formcheck``: the same command line as the ``formcheck`` script."""

from .cli import run

if __name__ == "__main__":
    run()
