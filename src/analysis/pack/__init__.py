"""Stage 5, pack: run the notebooks, export HTML, the workbook, the PDF, and publish atomically."""
