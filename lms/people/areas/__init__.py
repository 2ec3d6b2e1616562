"""Areas: the tree of administrative units (province, commune, village) and its teams; the unit
pages (blueprint `units`) and the import of the official lists.

A subpackage of people because a person belongs to a unit (`people.models.Unit`) and people's
services read the tree (scope): the two are one layer (docs/architecture.md)."""
