"""``python -m formcheck.cli``: the same command line as the ``formcheck`` script."""

from . import run

if __name__ == "__main__":
    run()
