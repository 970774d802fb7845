"""Run a stand-in by hand, e.g. to post from a development server to it:

    PYTHONPATH=src:. .venv/bin/python -m tests.standins bluesky --port 8123

It prints the base URL and the account's credentials, then each post as it is stored, until
Ctrl-C.
"""

from __future__ import annotations

import argparse
import time

from tests.standins import bluesky, mastodon, x

CREDENTIALS = {
    "bluesky": "handle hemonc.bsky.social, app password app-password",
    "mastodon": "handle hemonc@mastodon.example, access token token",
    "x": "handle hemonc, refresh token refresh-token, client id client-id",
}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.standins")
    parser.add_argument("platform", choices=sorted(CREDENTIALS))
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    module = {"bluesky": bluesky, "mastodon": mastodon, "x": x}[args.platform]
    with module.serve(port=args.port) as (url, state):
        print(f"{args.platform} stand-in at {url} ({CREDENTIALS[args.platform]})", flush=True)
        seen = 0
        try:
            while True:
                time.sleep(0.5)
                posts = state.posts
                for post in posts[seen:]:
                    print(repr(post.get("text", "")), flush=True)
                seen = len(posts)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
