"""PDF: the WeasyPrint adapter (its only import), parallel layout and its cache, the
join (pikepdf), fonts, tags, trim sizes. Exports write_pdf in packager.pdf.writer."""
