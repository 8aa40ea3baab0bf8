"""The controller's HTTP side: a JSON gateway onto its own gRPC API, staff sessions, the live
board over Server-Sent Events, the built web app and the venue CA page (docs/web.md)."""
