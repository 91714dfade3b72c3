"""``arbridge serve``: the administrators' web app (loopback unless told otherwise)."""

from __future__ import annotations

import typer

from workers.cli.output import console, guarded, load_settings


def serve_command(
    host: str = typer.Option(None, "--host", help="Address to listen on (default 127.0.0.1)."),
    port: int = typer.Option(None, "--port", help="Port (default 8080)."),
) -> None:
    """Run the admin web app and its JSON API in the foreground."""
    def action() -> None:
        import uvicorn

        from admin.app import create_app
        from sync.store import start_up

        settings = load_settings()
        start_up(settings)
        bind_host = host or settings.admin.host
        bind_port = port or settings.admin.port
        app = create_app(settings)
        if bind_host not in ("127.0.0.1", "::1", "localhost"):
            console.print(f"listening on {bind_host}: put it behind a TLS proxy",
                          highlight=False)
        console.print(f"admin app on http://{bind_host}:{bind_port}/ "
                      "(add users with: arbridge users add NAME --role administrator)",
                      highlight=False)
        uvicorn.run(app, host=bind_host, port=bind_port, log_level="info",
                    proxy_headers=bool(settings.admin.forwarded_allow_ips.strip()),
                    forwarded_allow_ips=settings.admin.forwarded_allow_ips,
                    server_header=False)

    guarded(action)
