"""Drives the official prime-traces client against pi-rs's mock.

Run by tests/traces_interop.rs inside a virtualenv holding the pinned
prime-traces release. The service's address and the key come from the
environment (PRIME_TRACES_URL, PRIME_API_KEY), as a user of that client
sets them; the JSONL file to upload is the only argument.

It prints one JSON object on stdout: the receipts and what the reads gave,
parsed by the client's own models, so that the Rust side asserts on them.
Any exception ends the script with a traceback on stderr and a non-zero
exit code.
"""

import json
import sys

from prime_traces import TracesClient


def main():
    lines_file = sys.argv[1]
    with TracesClient() as traces:
        # The client's defaults: one batch, its traces part gzip-compressed.
        receipts = traces.upload_file(lines_file)
        page = traces.list(run_id="r1", has_error=False, limit=10, context={"job": "nightly"})
        runs = traces.list_runs()
        episodes = traces.list_episodes()
    print(
        json.dumps(
            {
                "receipts": [receipt.model_dump(mode="json") for receipt in receipts],
                "listed": len(page.items),
                "next_cursor": page.next_cursor,
                "runs": len(runs.items),
                "episodes": len(episodes.items),
            }
        )
    )


if __name__ == "__main__":
    main()
