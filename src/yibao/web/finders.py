"""Static files installed from the npm registry (package-lock.json, `npm ci`): only the named
files, under ``vendor/``, so the pages load them from this site and never from a CDN."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage


def _files() -> dict[str, Path]:
    return {"vendor/echarts.min.js": Path(settings.ECHARTS_FILE)}


class NodeModuleFinder(BaseFinder):
    def find(self, path, find_all=False, **kwargs):
        found = _files().get(path)
        if found is None or not found.is_file():
            return [] if find_all or kwargs.get("all") else None
        return [str(found)] if find_all or kwargs.get("all") else str(found)

    def list(self, ignore_patterns):
        for name, file in _files().items():
            if file.is_file():
                storage = FileSystemStorage(location=str(file.parent))
                storage.prefix = str(Path(name).parent)
                yield file.name, storage

    def check(self, **kwargs):
        return []
