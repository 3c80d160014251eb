"""Prepares a database for the load test: the realistic data set and the load test's accounts.

    DATABASE_URL=postgres://…/tsunagu_scale .venv/bin/python -m benchmarks.load.prepare --fill-this-database

Works on the database the settings name (DATABASE_URL, else TSUNAGU_SQLITE_PATH): fills it with
the shared realistic data set (benchmarks.dataset: 60 offices, 2,000 clients per large office,
1,000,000 logs over three fiscal years, 10,000 providers; the same options to make it smaller),
or adds only what is missing when it is there, then creates the load test's coordinators,
supervisors and ward staff (benchmarks/load/accounts.py) in the large office the load test runs
on, the demo's 北区 office (2,000 clients): coordinators and supervisors with a confirmed TOTP
device whose key the locustfile knows. Refuses a database holding an office that neither the
demo nor the data set made. Running it again adds only what is missing.
"""

import argparse

from benchmarks.dataset import Shape, add_arguments, generate, large_office_names, refuse_unless_benchmark_database


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    parser.add_argument("--coordinators", type=int, default=60)
    parser.add_argument("--supervisors", type=int, default=20)
    parser.add_argument("--ward", type=int, default=40)
    args = parser.parse_args(argv)

    from benchmarks.dataset import setup_django

    setup_django()
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.mfa import DEVICE_NAME
    from accounts.models import Office, User
    from accounts.roles import ROLE_GROUPS, Role
    from benchmarks.load.accounts import PASSWORD, totp_key, username
    from coordination.clients.models import Client
    from coordination.logs.models import ContactLog

    refuse_unless_benchmark_database(args.fill_this_database, postgresql_only=False, name="benchmarks.load.prepare")
    shape = Shape.from_args(args)
    generate(shape)
    office = Office.objects.get(name=large_office_names(shape)[0])  # the demo's 北区 office, a large one

    roles = {
        "coordinator": (Role.COORDINATOR, args.coordinators),
        "supervisor": (Role.SUPERVISOR, args.supervisors),
        "ward": (Role.WARD_STAFF, args.ward),
    }
    password = make_password(PASSWORD)
    with transaction.atomic():
        for role_name, (role, count) in roles.items():
            group = Group.objects.get(name=ROLE_GROUPS[role])
            names = [username(role_name, n) for n in range(1, count + 1)]
            present = set(User.objects.filter(username__in=names).values_list("username", flat=True))
            users = User.objects.bulk_create(
                User(username=name, password=password, office=office, last_name="負荷試験", first_name=name)
                for name in names
                if name not in present
            )
            User.groups.through.objects.bulk_create(User.groups.through(user_id=u.pk, group_id=group.pk) for u in users)
            if role != Role.WARD_STAFF:
                TOTPDevice.objects.bulk_create(
                    TOTPDevice(user=u, name=DEVICE_NAME, confirmed=True, key=totp_key(u.username)) for u in users
                )
            print(f"{role.label}: {len(users)} created, {len(present)} already there")
    print(
        f"the load test's office, {office.name}: {Client.objects.filter(office=office).count():,} clients, "
        f"{ContactLog.objects.for_office(office).count():,} logs"
    )


if __name__ == "__main__":
    main()
