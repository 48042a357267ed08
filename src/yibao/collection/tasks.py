"""The collection's job handlers (``yibao.jobs.services.handler``): ids → objects → one service."""
