"""`resume-agent keys create|list|revoke`: owner API keys (shown once, stored hashed)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from cli.storage_session import cli_storage
from storage.api_keys import create_key, list_keys, revoke_key


def add_parser(sub: Any) -> None:
    p = sub.add_parser("keys", help="manage owner API keys")
    ksub = p.add_subparsers(dest="keys_command", required=True)
    c = ksub.add_parser("create", help="create a key and print it once")
    c.add_argument("--label", help="a note to tell keys apart")
    c.set_defaults(func=run_create)
    ksub.add_parser("list", help="list keys (prefixes only)").set_defaults(func=run_list)
    r = ksub.add_parser("revoke", help="revoke a key by its prefix")
    r.add_argument("prefix")
    r.set_defaults(func=run_revoke)


def run_create(args: argparse.Namespace) -> int:
    async def _go() -> str:
        async with cli_storage() as (storage, owner_id):
            return await create_key(storage.pool, owner_id, args.label)

    key = asyncio.run(_go())
    print(key)
    print("Store this key now: it is not shown again.", file=sys.stderr)
    return 0


def run_list(args: argparse.Namespace) -> int:
    async def _go() -> None:
        async with cli_storage() as (storage, _):
            for k in await list_keys(storage.pool):
                state = f"revoked {k.revoked_at:%Y-%m-%d}" if k.revoked_at else "active"
                used = f"{k.last_used_at:%Y-%m-%d %H:%M}" if k.last_used_at else "never"
                print(
                    f"{k.prefix}\t{state}\tcreated {k.created_at:%Y-%m-%d}\tlast used {used}\t{k.label or ''}"
                )

    asyncio.run(_go())
    return 0


def run_revoke(args: argparse.Namespace) -> int:
    async def _go() -> bool:
        async with cli_storage() as (storage, _):
            return await revoke_key(storage.pool, args.prefix)

    if asyncio.run(_go()):
        print(f"revoked {args.prefix}", file=sys.stderr)
        return 0
    print(f"error: no active key with prefix {args.prefix!r}", file=sys.stderr)
    return 1
