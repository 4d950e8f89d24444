"""modelsync's JSON Schemas, installed as the package ``modelsync.schemas`` (see
``package-dir`` in ``pyproject.toml``) and read with :mod:`importlib.resources`."""
