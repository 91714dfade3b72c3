"""Bank statement import: camt.053/054, MT940 and CSV exports parsed (pure) into statements."""
