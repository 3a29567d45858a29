"""The exercises: each module provides the ``base.Exercise`` interface (its name, its checks and
``assess``), and this registry is the one place that lists them."""

from . import reverse_lunge, reverse_walk
from .base import Exercise

EXERCISES: dict[str, Exercise] = {m.NAME: m for m in (reverse_lunge, reverse_walk)}
