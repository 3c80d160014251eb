"""How passwords are stored: Argon2id with OWASP's parameters; older hashes are upgraded at sign-in."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idPasswordHasher(Argon2PasswordHasher):
    """Argon2id, 19 MiB of memory, 2 passes, 1 lane: one of the OWASP Password Storage Cheat Sheet's
    equivalent minimum settings for Argon2id (a memory-hard function, the sheet's first choice).

    Django's own Argon2 settings (100 MiB, 8 lanes) and its PBKDF2 default (1,000,000 iterations) cost a
    sign-in 140 and 280 ms of CPU on our 2-core server; this costs about 20 ms, so a morning's sign-ins
    no longer hold up everyone's pages (docs/performance.md, docs/security.md). The algorithm name stays
    "argon2", so Django reads every Argon2 hash with its own parameters and re-hashes one made with other
    parameters, or with PBKDF2, at the user's next sign-in.
    """

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
