"""MotCua Counter: domain, services, configuration and the command line."""

from importlib import metadata

try:
    __version__ = metadata.version("motcua")
except metadata.PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+source"
