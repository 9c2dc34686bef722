package nntp

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/calvinslist/calvin/ingest/nntp/inntest"
)

// TestOlderVerbs: to a server that does not list OVER and HDR, the client
// sends XOVER and XHDR, which INN still answers, and reads the same lines.
func TestOlderVerbs(t *testing.T) {
	srv := inntest.Start(t, inntest.Options{Groups: []string{"calvin.old"}})
	srv.Post([]byte("Path: test!not-for-mail\nFrom: Ann <ann@example.org>\nNewsgroups: calvin.old\nSubject: Old\nMessage-ID: <old1@calvin.test>\nDate: Mon, 05 Apr 1993 18:01:16 GMT\n\nHi.\n"))
	d := Dialer{Addr: srv.Addr, TLSConfig: srv.TLS, Timeout: 5 * time.Second}
	c, err := d.Dial(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if !c.Has("OVER") || !c.Has("HDR") || !c.tls {
		t.Fatalf("INN's reader lists OVER and HDR and offers STARTTLS; capabilities %v, TLS %v", c.caps, c.tls)
	}
	delete(c.caps, "OVER")
	delete(c.caps, "HDR")
	g, err := c.Select("calvin.old")
	if err != nil || g.Low != 1 || g.High != 1 {
		t.Fatalf("GROUP: %+v, %v; want articles 1 to 1", g, err)
	}
	var over []string
	if _, err := c.Over(1, 1, func(line []byte) error { over = append(over, string(line)); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(over) != 1 || !strings.HasPrefix(over[0], "1\tOld\tAnn <ann@example.org>\tMon, 05 Apr 1993 18:01:16 GMT\t<old1@calvin.test>\t\t") {
		t.Errorf("XOVER: %q", over)
	}
	var hdr []string
	if _, err := c.Hdr("Subject", 1, 1, func(n int64, v []byte) error { hdr = append(hdr, fmt.Sprint(n, " ", string(v))); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(hdr) != 1 || hdr[0] != "1 Old" {
		t.Errorf("XHDR: %q", hdr)
	}
	// A range without articles is not an error (INN answers XOVER with an
	// empty list, OVER with 423).
	lines := 0
	if _, err := c.Over(2, 5, func([]byte) error { lines++; return nil }); lines != 0 || err != nil {
		t.Errorf("XOVER of no article: %d lines, %v; want none and no error", lines, err)
	}
}
