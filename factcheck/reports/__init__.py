"""The team report: what the desk did in a period, as figures, charts, a page, a PDF and a workbook."""
