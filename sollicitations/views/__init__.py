"""The pages of « Sollicitations émises » (emises) and « Sollicitations reçues » (recues)."""
