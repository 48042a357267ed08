"""户籍人口库比对 and 重复参保 (晋城 晋市医保发〔2023〕10号 五(三)): compare the household registry
village by village with both schemes' insured (应保未保), mark those who died or moved away and flag
their enrolments for review, and list and resolve duplicate enrolments."""
