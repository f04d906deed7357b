"""Write the .env that docker-compose.yml reads: fresh random passwords and keys, one set per installation.

    python3 docker/generate_env.py            # writes .env beside docker-compose.yml, unless one is there
    python3 docker/generate_env.py --stdout   # prints it instead

Needs only Python's standard library. The values use letters, digits, '-' and '_' only, so they can stand in
the connection URLs docker-compose.yml builds from them. The optional settings are in docker/.env.example.
"""

from __future__ import annotations

import argparse
import base64
import os
import secrets
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def generated_settings() -> dict[str, str]:
    return {
        "POSTGRES_PASSWORD": secrets.token_urlsafe(24),
        "AIRFLOW_ADMIN_PASSWORD": secrets.token_urlsafe(12),
        # A Fernet key is 32 random bytes in URL-safe base64.
        "AIRFLOW_FERNET_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        # 64 bytes and more: the length Airflow recommends for signing its tokens.
        "AIRFLOW_JWT_SECRET": secrets.token_urlsafe(64),
        "AIRFLOW_API_SECRET_KEY": secrets.token_urlsafe(64),
    }


def env_text(values: dict[str, str]) -> str:
    lines = [
        "# Secrets of this installation of the warehouse stack (docker/README.md). Never commit this file.",
        "# Optional settings (ports, admin user name, worker concurrency...): see docker/.env.example.",
        *(f"{name}={value}" for name, value in values.items()),
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stdout", action="store_true", help="print the file instead of writing it")
    parser.add_argument("--output", type=Path, default=REPO / ".env", help="where to write (default: %(default)s)")
    args = parser.parse_args(argv)

    text = env_text(generated_settings())
    if args.stdout:
        sys.stdout.write(text)
        return 0
    if args.output.exists():
        print(f"{args.output} exists; not overwritten (its passwords are those of the running stack)", file=sys.stderr)
        return 1
    fd = os.open(args.output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(text)
    print(f"wrote {args.output}; the Airflow admin password is in it (AIRFLOW_ADMIN_PASSWORD)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
