"""Printed documents of the resident scheme (PDF through ``yibao.documents``, xlsx through
XlsxWriter): one module per document, its template under ``templates/resident/``."""
