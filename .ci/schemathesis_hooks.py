"""schemathesis hooks for hoithi's CI: a 5xx fails the run, except a 503
that says when to come back (Retry-After), which is how hoithi answers when
its database is busy."""

import schemathesis


@schemathesis.check
def no_server_error(ctx, response, case):
    status = response.status_code
    if status >= 500 and not (status == 503 and "retry-after" in {k.lower() for k in response.headers}):
        raise AssertionError(f"server error {status} for {case.method} {case.path}: {response.text[:500]}")
