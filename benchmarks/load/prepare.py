"""Prepares a database for the load test: the demo office, extra logs and many accounts.

    DATABASE_URL=… .venv/bin/python -m benchmarks.load.prepare --fill-this-database

Works on the database the settings name (DATABASE_URL, else TSUNAGU_SQLITE_PATH): migrates,
loads the reference lists and the demo office, adds generated logs to the demo office
(benchmarks.report's generator) and creates the load test's coordinators, supervisors and ward
staff (benchmarks/load/accounts.py), coordinators and supervisors with a confirmed TOTP device
whose key the locustfile knows. Refuses a database holding any office but the demo one.
Running it again adds only what is missing.
"""

import argparse
import os
import random


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fill-this-database", action="store_true", help="allow writing into the configured database")
    parser.add_argument("--coordinators", type=int, default=60)
    parser.add_argument("--supervisors", type=int, default=20)
    parser.add_argument("--ward", type=int, default=40)
    parser.add_argument("--logs", type=int, default=3000, help="generated logs added to the demo office")
    args = parser.parse_args(argv)

    setup_django()
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection, transaction
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.mfa import DEVICE_NAME
    from accounts.models import Office, User
    from accounts.roles import ROLE_GROUPS, Role
    from benchmarks.load.accounts import PASSWORD, totp_key, username
    from benchmarks.report import add_logs
    from coordination.logs.models import ContactLog
    from demo import builders as demo
    from demo import seed as demo_data

    database = connection.settings_dict["NAME"]
    if not args.fill_this_database:
        raise SystemExit(
            f"benchmarks.load.prepare adds users and logs to {str(database)!r}. "
            "Run it again with --fill-this-database if that database is a throwaway one."
        )
    call_command("migrate", verbosity=0)
    real = Office.objects.exclude(name=demo_data.OFFICE_NAME)
    if real.exists():
        raise SystemExit(f"the database holds offices other than the demo office ({real.first()}): refused.")
    call_command("load_reference", verbosity=0)
    demo.demo_load()
    office = Office.objects.get(name=demo_data.OFFICE_NAME)

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
    generated = ContactLog.objects.for_office(office).filter(report_summary__startswith="生成した記録").count()
    if generated < args.logs:
        add_logs(office, args.logs - generated, random.Random(20261121))
        print(f"{args.logs - generated} generated logs added")
    print(f"{ContactLog.objects.for_office(office).count()} logs in the demo office")


if __name__ == "__main__":
    main()
