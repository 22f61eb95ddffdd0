"""Stage 4, sections: each page's figures, headlines, charts and tables, from the metrics."""
