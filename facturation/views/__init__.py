"""The pages of « Factures émises » (emises, depot), « Factures reçues » (recues), « Factures à valider »
(valideur) and the public « Vérifier un dépôt » (verification): one module a subject."""
