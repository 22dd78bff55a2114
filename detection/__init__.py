"""Person and garment analysis: gender, garment boxes and crops (models arrive with issue 3)."""
