"""Settings of each new database connection."""

import sqlite3


def use_sqlite_parameter_limit(sender, connection, **kwargs) -> None:
    """Django assumes SQLite's old limit of 999 parameters a statement; ours takes (usually) 32,766.

    Bulk inserts (an import's new clients with their history) then take one statement for about
    1,700 rows instead of about 50.
    """
    if connection.vendor != "sqlite":
        return
    connection.features.max_query_params = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
