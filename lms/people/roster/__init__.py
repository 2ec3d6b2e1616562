"""Roster import: a spreadsheet of people read (`sheet`), checked and previewed (`services`),
then saved by a background job (`job`); its pages are the blueprint `roster`."""
