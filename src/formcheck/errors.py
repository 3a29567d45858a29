"""Exceptions with a one-line message each; the CLI maps them to exit codes.

Nothing below the ``cli`` package prints or exits: stages raise these, and the CLI turns them into one
line on stderr and the documented exit code.
"""

from __future__ import annotations


class FormcheckError(Exception):
    """Base class: ``str(error)`` is the one line shown to the user."""

    exit_code = 1


class InputError(FormcheckError):
    """The input (file, camera, landmarks) cannot be read as a video of a person."""

    exit_code = 2


class ModelError(FormcheckError):
    """The pose model is missing, corrupt, or fails its checksum."""

    exit_code = 3


class ProfileError(FormcheckError):
    """The threshold profile cannot be read or has an unknown or invalid setting."""

    exit_code = 4


class NoPersonError(FormcheckError):
    """The video was read but nobody was found in it."""

    exit_code = 5


class NotAnalyzableError(FormcheckError):
    """A person was found, but not enough of them is visible to analyse (e.g. feet out of frame)."""

    exit_code = 6


class CameraError(FormcheckError):
    """The camera cannot be opened, or stopped delivering frames."""

    exit_code = 7
