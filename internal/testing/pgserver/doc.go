// Package pgserver runs a private PostgreSQL server for tests: initdb into
// a fresh directory, postgres on a free loopback port (and a unix socket
// in that directory), stopped when the test ends. It uses Debian's
// packaged binaries (/usr/lib/postgresql/VERSION/bin, or
// $UPSCALED_TEST_PGBIN); without them the test fails, saying how to
// install them, so the fleet's database is never left untested. As root
// it runs the server as the "postgres" user (or "nobody"), since
// postgres refuses to run as root. Test support only: the service's
// packages must not import it.
package pgserver
