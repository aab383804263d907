package dev.portico.http.headers;

/** {@code add_header_inherit} / {@code add_trailer_inherit} (nginx 1.29.3). */
enum InheritMode {
    /** Inherit the outer level's fields only when this level has none (the classic rule). */
    ON,
    /** Do not inherit the outer level's fields. */
    OFF,
    /** This level's fields, then the outer level's. */
    MERGE
}
