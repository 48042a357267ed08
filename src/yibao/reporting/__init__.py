"""统计报表: the collection progress (征缴进度) of the resident scheme per division level, and the
employee scheme's declaration progress per agency, as figures (``selectors``), the JSON API,
dashboards with charts and xlsx downloads."""
