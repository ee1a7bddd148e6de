"""OMO Hub: a self-hosted Online-Merge-Offline data hub for retail brands."""

__version__ = "0.1.0"
