"""The Office and PDF exports of a view, one module per format, all rendering the same briefing
Deck and section models (tables.py): slides.py (PowerPoint, native charts), workbook.py (the
published tables as Excel), word.py (the 预算说明 as Word), pdf.py (the A4 report)."""
