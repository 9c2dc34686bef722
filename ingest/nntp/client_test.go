package nntp

import (
	"context"
	"fmt"
	"math"
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

// TestSteps: a group's range is read in steps without overflowing at the
// top of the 64-bit numbers, where lo += step wrapped and never ended.
func TestSteps(t *testing.T) {
	const top = math.MaxInt64
	for _, c := range []struct {
		lo, hi, step int64
		want         string
	}{
		{1, 12, 5, "1-5 6-10 11-12"},
		{3, 2, 5, ""}, // an empty group
		{0, 3, 5, "1-3"},
		{top - 5807, top, 5000, "9223372036854770000-9223372036854774999 9223372036854775000-9223372036854775807"},
		{top, top, 5000, "9223372036854775807-9223372036854775807"},
	} {
		var got []string
		steps(c.lo, c.hi, c.step, func(lo, hi int64) error {
			got = append(got, fmt.Sprintf("%d-%d", lo, hi))
			if len(got) > 10 {
				return fmt.Errorf("too many")
			}
			return nil
		})
		if strings.Join(got, " ") != c.want {
			t.Errorf("steps(%d, %d, %d) = %q, want %q", c.lo, c.hi, c.step, got, c.want)
		}
	}
}
