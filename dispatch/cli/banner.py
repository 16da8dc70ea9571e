"""What ``make run`` prints before serving: where the service is and how to sign in."""

from __future__ import annotations

import argparse

from rich.console import Console

from dispatch.demo.county import build_demo_county
from dispatch.demo.load import DEMO_PASSWORD, demo_logins


def main() -> None:
    """Print the service's URLs and the demo logins."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    base = f"http://{args.host}:{args.port}"
    county = build_demo_county()
    console = Console(soft_wrap=True)
    console.rule(f"[bold]infofirst — {county.name_zh} / {county.name_en}")
    console.print(county.note)
    console.print(f"API            {base}/api/v1   (interactive docs: {base}/api/v1/docs)")
    console.print(f"Health         {base}/healthz · {base}/readyz · {base}/metrics")
    console.print(f"Sign in        POST {base}/api/v1/auth/token  username=<login> password=")
    console.print(f"Field app      {base}/field   (township-th-nandun, crew-amb-01)")
    console.print(f"Wall screen    {base}/cathlab/county-hospital   (cathlab-county-hospital)")
    console.print(f"Console        {base}/console   (dispatcher)")
    console.print(f"Reports        {base}/reports   (auditor)")
    logins = demo_logins(county)
    by_role: dict[str, list[str]] = {}
    for login in logins:
        by_role.setdefault(login.role, []).append(login.username)
    console.print(f"Demo logins (password [bold]{DEMO_PASSWORD}[/bold]):")
    for role, names in by_role.items():
        shown = ", ".join(names[:4]) + (f" … ({len(names)} in all)" if len(names) > 4 else "")
        console.print(f"  {role:<11}{shown}")
    console.rule()


if __name__ == "__main__":
    main()
