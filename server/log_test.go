package server

import (
	"io"
	"log/slog"
)

// quietLog is the tests' logger: nothing printed.
func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
