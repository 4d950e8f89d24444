"""What a model is: modelsync's typed model of the catalog, the models.dev mapping, the
JSON Schemas, usage, vocabularies, who owns which key, and the config directory's files.
"""
