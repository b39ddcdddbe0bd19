"""The archive: database models, the storage API, and the worker that feeds it."""
