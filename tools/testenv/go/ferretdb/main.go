// Command ferretdb runs the embeddable FerretDB v1 with its PostgreSQL backend (what the test
// environment uses: a server database that takes concurrent load) or its SQLite backend. It
// exists because a plain `go install` of FerretDB panics on a missing version.txt (FerretDB#2982);
// embedding the public package avoids that and keeps telemetry off.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen-addr", "127.0.0.1:27017", "TCP address to listen on")
	handler := flag.String("handler", "", "backend: postgresql or sqlite (default: postgresql when --postgresql-url is set)")
	postgresqlURL := flag.String("postgresql-url", "", "PostgreSQL URL (handler postgresql), e.g. postgres://127.0.0.1:5432/ferretdb")
	sqliteURL := flag.String("sqlite-url", "file:data/", "SQLite directory URI (handler sqlite; must end with /)")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	flag.Parse()

	if *handler == "" {
		*handler = "sqlite"
		if *postgresqlURL != "" {
			*handler = "postgresql"
		}
	}
	if *handler != "postgresql" && *handler != "sqlite" {
		fmt.Fprintf(os.Stderr, "ferretdb: bad --handler %q: postgresql or sqlite\n", *handler)
		os.Exit(2)
	}
	if *handler == "postgresql" && *postgresqlURL == "" {
		fmt.Fprintln(os.Stderr, "ferretdb: --handler=postgresql needs --postgresql-url")
		os.Exit(2)
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb: bad --log-level %q: %v\n", *logLevel, err)
		os.Exit(2)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:      ferretdb.ListenerConfig{TCP: *listen},
		Logger:        logger,
		Handler:       *handler,
		PostgreSQLURL: *postgresqlURL,
		SQLiteURL:     *sqliteURL,
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb: %v\n", err)
		os.Exit(1)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := f.Run(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb: %v\n", err)
		os.Exit(1)
	}
}
