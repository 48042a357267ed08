"""The collection's printed documents: data gathered here, laid out by ``yibao.documents``."""
