"""The server's wire layer: AWS Query protocol over HTTP, with SigV4 verification.

Modules (spec §6): :mod:`.sigv4` verifies signatures, :mod:`.service_model`,
:mod:`.query`, :mod:`.validation` and :mod:`.responses` read requests and write
XML from botocore's IAM/STS models, :mod:`.dispatch` runs a request through
them to a registered handler, and :mod:`.http` serves it on a socket. Business
logic lives in handlers that other packages register.
"""
