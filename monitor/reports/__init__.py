"""Country reports: paragraphs, comment cycles, adoption, publication and the PDF."""
