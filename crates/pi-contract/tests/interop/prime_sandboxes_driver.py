"""Drives the official prime-sandboxes client against pi-rs's mock gateway.

Run by tests/gateway_interop.rs inside a virtualenv holding the pinned
prime-sandboxes release. The API's address and key come from the
environment (PRIME_API_BASE_URL, PRIME_API_KEY), the way any user of that
client configures it; everything else is given on the command line.

It prints one JSON object on stdout: what each call returned, so that the
Rust side asserts on it. Any exception ends the script with a traceback on
stderr and a non-zero exit code.
"""

import argparse
import asyncio
import json
import sys

from prime_sandboxes import APIClient, AsyncSandboxClient, SandboxClient


def parse_arguments():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=["sync", "async"], required=True)
    parser.add_argument("--sandbox", required=True, help="the sandbox id")
    parser.add_argument("--command", required=True, help="the command to run")
    parser.add_argument("--cwd", required=True, help="its working directory")
    parser.add_argument("--env", required=True, help="one NAME=value for it")
    parser.add_argument("--local", required=True, help="the local file to upload")
    parser.add_argument("--remote", required=True, help="where it goes in the sandbox")
    parser.add_argument("--back", required=True, help="where to download it back to")
    parser.add_argument("--missing", required=True, help="a path never written in the sandbox")
    return parser.parse_args()


def error_name(error):
    """The class of the exception a call raised, or None when it returned."""
    return None if error is None else type(error).__name__


def report(ran, uploaded, window, missing):
    """The calls' results as plain JSON values."""
    return {
        "stdout": ran.stdout,
        "stderr": ran.stderr,
        "exit_code": ran.exit_code,
        "uploaded": {
            "success": uploaded.success,
            "path": uploaded.path,
            "size": uploaded.size,
            "timestamp": uploaded.timestamp.isoformat(),
        },
        "read": {
            "content": window.content,
            "size": window.size,
            "total_size": window.total_size,
            "offset": window.offset,
            "truncated": window.truncated,
        },
        "missing": error_name(missing),
    }


def run_sync(arguments, env):
    client = SandboxClient(APIClient())
    ran = client.execute_command(
        arguments.sandbox, arguments.command, working_dir=arguments.cwd, env=env
    )
    uploaded = client.upload_file(arguments.sandbox, arguments.remote, arguments.local)
    client.download_file(arguments.sandbox, arguments.remote, arguments.back)
    window = client.read_file(arguments.sandbox, arguments.remote, offset=2, length=5)
    try:
        client.read_file(arguments.sandbox, arguments.missing)
        missing = None
    except Exception as error:
        missing = error
    return report(ran, uploaded, window, missing)


async def run_async(arguments, env):
    async with AsyncSandboxClient() as client:
        ran = await client.execute_command(
            arguments.sandbox, arguments.command, working_dir=arguments.cwd, env=env
        )
        uploaded = await client.upload_file(arguments.sandbox, arguments.remote, arguments.local)
        await client.download_file(arguments.sandbox, arguments.remote, arguments.back)
        window = await client.read_file(arguments.sandbox, arguments.remote, offset=2, length=5)
        try:
            await client.read_file(arguments.sandbox, arguments.missing)
            missing = None
        except Exception as error:
            missing = error
        return report(ran, uploaded, window, missing)


def main():
    arguments = parse_arguments()
    name, _, value = arguments.env.partition("=")
    env = {name: value}
    if arguments.mode == "sync":
        result = run_sync(arguments, env)
    else:
        result = asyncio.run(run_async(arguments, env))
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
