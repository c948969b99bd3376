"""The Python half of `benches/gateway.rs`: rounds of commands through the
official async client (`prime-sandboxes`), timed here so that interpreter
start-up and imports stay out of the figure.

Usage: driver.py SANDBOX_ID... (with PRIME_API_BASE_URL and PRIME_API_KEY
pointing at the mock). It prints `ready` once the client is built, then reads
one number per line from stdin, runs that many rounds, and prints the seconds
they took. A round is COMMANDS commands spread over the sandboxes in turn,
at most IN_FLIGHT at a time: the shape the Rust half runs.
"""

import asyncio
import sys
import time

from prime_sandboxes import AsyncSandboxClient

COMMANDS = 1000
IN_FLIGHT = 256
COMMAND = "echo hi"


async def run_round(client, sandboxes, limit):
    async def one(index):
        async with limit:
            answer = await client.execute_command(sandboxes[index % len(sandboxes)], COMMAND)
        if answer.exit_code != 0:
            raise RuntimeError(f"`{COMMAND}` exited {answer.exit_code}: {answer.stderr!r}")

    await asyncio.gather(*(one(index) for index in range(COMMANDS)))


async def main():
    sandboxes = sys.argv[1:]
    if not sandboxes:
        sys.exit("usage: driver.py SANDBOX_ID...")
    client = AsyncSandboxClient()
    limit = asyncio.Semaphore(IN_FLIGHT)
    loop = asyncio.get_running_loop()
    print("ready", flush=True)
    try:
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line.strip():
                break
            rounds = int(line)
            started = time.perf_counter()
            for _ in range(rounds):
                await run_round(client, sandboxes, limit)
            print(f"{time.perf_counter() - started:.6f}", flush=True)
    finally:
        await client.aclose()


if __name__ == "__main__":
    asyncio.run(main())
