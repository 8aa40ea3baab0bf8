"""Generated from protos/ktv/v1/*.proto by `./run protos`. Do not edit by hand."""
