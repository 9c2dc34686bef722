package message

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/calvinslist/calvin/ingest"
)

func TestParseDate(t *testing.T) {
	utc := func(y int, mo time.Month, d, h, mi, s int) time.Time {
		return time.Date(y, mo, d, h, mi, s, 0, time.UTC)
	}
	cases := []struct {
		in   string
		want time.Time
	}{
		{"Sat, 1 Jan 2005 14:40:44 +0100 (MET)", utc(2005, 1, 1, 13, 40, 44)},
		{"Sat, 05 Mar 2005 19:29:27 +0100", utc(2005, 3, 5, 18, 29, 27)},
		{"Wed, 21 Apr 1993 08:28:50 +02", utc(1993, 4, 21, 6, 28, 50)},    // hours only, as in a 1993 article
		{"1 Jan 2005 14:40 -0500", utc(2005, 1, 1, 19, 40, 0)},            // no weekday, no seconds
		{"Tue, 13 Apr 93 15:32:29 GMT", utc(1993, 4, 13, 15, 32, 29)},     // two-digit year, 50 and over
		{"Thu, 1 Jan 04 12:00:00 EST", utc(2004, 1, 1, 17, 0, 0)},         // two-digit year under 50; EST is -0500
		{"Fri, 07 Mar 103 10:00:00 GMT", utc(2003, 3, 7, 10, 0, 0)},       // three-digit year: 1900 + 103
		{"Saturday, 01-Jan-05 14:40:44 GMT", utc(2005, 1, 1, 14, 40, 44)}, // RFC 850
		{"Sat Jan  1 13:40:44 2005", utc(2005, 1, 1, 13, 40, 44)},         // asctime, as in mbox separators
		{"Wed, 14 Mar 2012 12:38:28 -0000", utc(2012, 3, 14, 12, 38, 28)}, // -0000: UTC, zone unknown
		{"Mon, 2 Jan 2006 15:04:05 +05:30", utc(2006, 1, 2, 9, 34, 5)},    // an offset with a colon
		{"2005-01-01 13:40:44", utc(2005, 1, 1, 13, 40, 44)},              // ISO, no zone: UTC
		{"Tue, 13 Apr 1993 15:32:29 PDT", utc(1993, 4, 13, 22, 32, 29)},   // PDT is -0700
		{"Mon, 31 Dec 2007 23:30:00 -0200", utc(2008, 1, 1, 1, 30, 0)},    // into the next year in UTC
		{"Thu,  3 Feb 2005 09:07:01.123 +0000", utc(2005, 2, 3, 9, 7, 1)}, // a fraction of a second, dropped
		{"Sun, 20 Mar 2005 10:00:00 +0000 (GMT Standard Time)", utc(2005, 3, 20, 10, 0, 0)},
		{"20 March 2005 10:00:00 CEST", utc(2005, 3, 20, 8, 0, 0)},   // a whole month name; CEST is +0200
		{"Sat, 1 Jan 2005 10:00:00 XYZT", utc(2005, 1, 1, 10, 0, 0)}, // an unknown zone: UTC
		// 12-hour times, as some mailers wrote them.
		{"Mon, 4 Apr 2011 06:16:48 PM -0700", utc(2011, 4, 5, 1, 16, 48)},
		{"Mon, 4 Apr 2011 06:16:48 am -0700", utc(2011, 4, 4, 13, 16, 48)},
		{"Mon, 4 Apr 2011 12:30:00 AM +0000", utc(2011, 4, 4, 0, 30, 0)}, // midnight's half hour
		{"Mon, 4 Apr 2011 12:05 PM GMT", utc(2011, 4, 4, 12, 5, 0)},      // noon's
		{"Mon, 4 Apr 2011 1:05 p.m. GMT", utc(2011, 4, 4, 13, 5, 0)},
	}
	for _, c := range cases {
		got, err := ParseDate(c.in)
		if err != nil {
			t.Errorf("ParseDate(%q): %v", c.in, err)
			continue
		}
		if !got.Equal(c.want) {
			t.Errorf("ParseDate(%q) = %v, want %v", c.in, got, c.want)
		}
	}
	for _, bad := range []string{
		"",
		"yesterday",
		"Mon, 32 Jan 2005 10:00:00 GMT",  // no such day
		"Tue, 29 Feb 2005 10:00:00 GMT",  // not a leap year
		"Sat, 1 Jan 2005",                // no time of day
		"Sat, 1 Foo 2005 10:00:00 GMT",   // no month
		"Wed, 31 Dec 1899 23:59:59 GMT",  // before 1900
		"Mon, 4 Apr 2011 13:05 PM GMT",   // a 12-hour time past 12
		"Mon, 4 Apr 2011 0:05 AM GMT",    // nor 0
		"Mon, 4 Apr 2011 1:05 AM PM GMT", // two halves
		"Sat, 1 Jan 2005 25:00:00 GMT",   // no such hour
		"Sat, 1 Jan 2005 10:00:00 +2500", // no such zone
		"Sat, 1 Jan 2005 10:00:00 +25",   // nor in hours alone
	} {
		if got, err := ParseDate(bad); err == nil {
			t.Errorf("ParseDate(%q) = %v, want an error", bad, got)
		}
	}
}

func TestParseFrom(t *testing.T) {
	cases := []struct{ in, addr, name string }{
		{"Geert Uytterhoeven <geert@linux-m68k.org>", "geert@linux-m68k.org", "Geert Uytterhoeven"},
		{"briefkasten at uebber.de (Christian Uebber)", "briefkasten@uebber.de", "Christian Uebber"},
		{`"Baechle, Ralf" <Ralf@Linux-MIPS.org>`, "ralf@linux-mips.org", "Baechle, Ralf"},
		{`"Joe \"the\" Poster" <joe@example.org>`, "joe@example.org", `Joe "the" Poster`},
		{"JOE@EXAMPLE.ORG", "joe@example.org", "joe@example.org"},
		{"bogus@does.not.exist.com ()", "bogus@does.not.exist.com", "bogus@does.not.exist.com"},

		// Munging that cannot be a real address is undone.
		{"joe@nospam.example.org (Joe)", "joe@example.org", "Joe"},             // a whole label of the domain
		{"<joe@example.org.removethis>", "joe@example.org", "joe@example.org"}, // a marker that says to remove it
		{"joeREMOVETHIS@example.org", "joe@example.org", "joe@example.org"},
		{"joe@example.org.invalid", "joe@example.org", "joe@example.org"}, // RFC 2606's reserved top-level domain
		{"joe at example dot org (Joe)", "joe@example.org", "Joe"},
		// Munging that may be someone's real address is kept as written
		// (people suggest proposes the address without it).
		{"hamish_nospam@yahoo.com", "hamish_nospam@yahoo.com", "hamish_nospam@yahoo.com"},
		{"Lou <lou.openocd012@fixit.nospammail.net>", "lou.openocd012@fixit.nospammail.net", "Lou"},
		{"msquadrat.nospamplease@gmx.net", "msquadrat.nospamplease@gmx.net", "msquadrat.nospamplease@gmx.net"},
		{"Joe <joe.NOSPAM@example.org>", "joe.nospam@example.org", "Joe"},
		{"joenospam@example.org", "joenospam@example.org", "joenospam@example.org"},
		{"Joe <joe.removethis@example.org>", "joe@example.org", "Joe"},
		// Characters that end real user names are kept (Carnegie Mellon's
		// addresses of 1993 end in +).
		{"jb7m+@andrew.cmu.edu", "jb7m+@andrew.cmu.edu", "jb7m+@andrew.cmu.edu"},
		{"fution_@hotmail.com", "fution_@hotmail.com", "fution_@hotmail.com"},

		// No address: no author, the name kept if there is one.
		{" ()", "", ""},
		{" (Steve Tomassi)", "", "Steve Tomassi"},
		{"Steve Tomassi", "", "Steve Tomassi"},
		{"<>", "", ""},
		{"joe@", "", "joe@"}, // shown as written
		// Trailing junk after an address is dropped.
		{"thomas@m3y3r.de Thu Sep 19 17:31:10 2013", "thomas@m3y3r.de", "thomas@m3y3r.de"},
		{"thomas@m3y3r.de, (Thomas)", "thomas@m3y3r.de", "Thomas"},
	}
	for _, c := range cases {
		addr, name := ParseFrom(c.in)
		if addr != c.addr || name != c.name {
			t.Errorf("ParseFrom(%q) = %q, %q, want %q, %q", c.in, addr, name, c.addr, c.name)
		}
	}
}

func TestParseHeader(t *testing.T) {
	block := strings.Join([]string{
		"Received: from a.example.org by b.example.org;",
		"\tSat, 1 Jan 2005 13:40:56 +0000",
		"From: =?ISO-8859-1?Q?J=F6rg_Schilling?= <Joerg.Schilling@Fokus.example.de>",
		"Subject: =?koi8-r?B?8NLJ18XU?= and",
		"  a folded line",
		"Message-ID: <20050101.1@example.org>",
		"Message-ID: <second@example.org>",
		"In-Reply-To: <parent@example.org> (Geert's message of Sat, 1 Jan 2005)",
		"References: <root@example.org>",
		" <middle@example.org>\t<parent@example.org>",
		"Newsgroups: comp.lang.go, Comp.Lang.C",
		"List-Id: Linux MIPS <linux-mips.linux-mips.org>",
		"date: Sat, 1 Jan 2005 14:40:44 +0100",
		"",
	}, "\r\n")
	h := ParseHeader([]byte(block))
	want := Header{
		MessageID:  "20050101.1@example.org", // the first of two
		InReplyTo:  "parent@example.org",
		References: []string{"root@example.org", "middle@example.org", "parent@example.org"},
		From:       "joerg.schilling@fokus.example.de",
		Name:       "Jörg Schilling",
		Date:       "Sat, 1 Jan 2005 14:40:44 +0100",
		Subject:    "Привет and a folded line",
		Newsgroups: []string{"comp.lang.go", "comp.lang.c"},
		ListID:     "linux-mips.linux-mips.org",
	}
	if h.MessageID != want.MessageID || h.InReplyTo != want.InReplyTo || !slices.Equal(h.References, want.References) ||
		h.From != want.From || h.Name != want.Name || h.Date != want.Date || h.Subject != want.Subject ||
		!slices.Equal(h.Newsgroups, want.Newsgroups) || h.ListID != want.ListID {
		t.Errorf("got  %+v\nwant %+v", h, want)
	}

	// Raw 8-bit Latin-1 in a header; pipermail's munged ids.
	h = ParseHeader([]byte("From: J\xf6rg <joerg at example.de>\nMessage-Id: <123.456 at bitter.cup.hp.com>\n"))
	if h.Name != "Jörg" || h.From != "joerg@example.de" || h.MessageID != "123.456@bitter.cup.hp.com" {
		t.Errorf("8-bit and munged: got %+v", h)
	}
}

func TestPostThreading(t *testing.T) {
	created := time.Date(2005, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name                 string
		h                    Header
		thread, parent, kind string
	}{
		{"a topic", Header{Subject: "Hi"}, "m", "", ingest.KindTopic},
		{"In-Reply-To and References", Header{InReplyTo: "p", References: []string{"r", "p"}}, "r", "p", ingest.KindReply},
		{"References only: the parent is the last", Header{References: []string{"r", "q"}}, "r", "q", ingest.KindReply},
		{"In-Reply-To only: the thread is left to the engine", Header{InReplyTo: "p"}, "", "p", ingest.KindReply},
		{"a reference to itself is no parent", Header{InReplyTo: "m", References: []string{"m"}}, "m", "", ingest.KindTopic},
	}
	var p ingest.Post
	for _, c := range cases {
		Post(&p, &c.h, "m", created, 10, "list")
		if string(p.ThreadID) != c.thread || string(p.ParentID) != c.parent || p.Kind != c.kind {
			t.Errorf("%s: thread %q parent %q kind %s, want %q %q %s", c.name, p.ThreadID, p.ParentID, p.Kind, c.thread, c.parent, c.kind)
		}
		if (c.parent == "") != (p.ParentID == nil) || (c.thread == "") != (p.ThreadID == nil) {
			t.Errorf("%s: empty ids must be nulls", c.name)
		}
		if c.kind == ingest.KindTopic && string(p.Title) != c.h.Subject || c.kind == ingest.KindReply && p.Title != nil {
			t.Errorf("%s: title %q", c.name, p.Title)
		}
	}
	Post(&p, &Header{Newsgroups: []string{"a", "b"}, ListID: "l"}, "m", created, 0, "list")
	if len(p.Areas) != 2 || string(p.Areas[0]) != "a" || string(p.Areas[1]) != "b" {
		t.Errorf("areas of a crosspost: %q", p.Areas)
	}
	Post(&p, &Header{}, "m", created, 0, "list")
	if len(p.Areas) != 1 || string(p.Areas[0]) != "list" {
		t.Errorf("areas without newsgroups or list id: %q", p.Areas)
	}
}

func TestDerivedID(t *testing.T) {
	a, b := DerivedID([]byte("From: a\n"), []byte("12")), DerivedID([]byte("From: a\n"), []byte("13"))
	if a == b || a != DerivedID([]byte("From: a\n"), []byte("12")) {
		t.Errorf("DerivedID must be stable and differ with the content: %s %s", a, b)
	}
}

// TestMalformedIDs: an id inside a token left open, as real archives have
// them, is the innermost well-formed <id>, not lost.
func TestMalformedIDs(t *testing.T) {
	cases := []struct {
		header string
		parent string
		refs   []string
	}{
		// linux-mips, 2014: a mailer wrote the header's name into its value.
		{"In-Reply-To: <Message-ID: <20140825132050.GH27724@linux-mips.org>\n", "20140825132050.GH27724@linux-mips.org", nil},
		// Usenet, 1993: a reference cut short before the last one.
		{"References: <a@b> <C5MxrF. <1993Apr21.142333.6707@host>\n", "", []string{"a@b", "1993Apr21.142333.6707@host"}},
		{"In-Reply-To: <<x@y>>\n", "x@y", nil},
		{"In-Reply-To: your message of Mon, 1 Jan 2005 <x@y>\n", "x@y", nil},
		{"References: <a@b> junk> <c@d>\n", "", []string{"a@b", "c@d"}},
		{"References: <a b@c> <d@e\n", "", nil}, // a space inside, an id never closed: no ids
	}
	for _, c := range cases {
		h := ParseHeader([]byte(c.header))
		if h.InReplyTo != c.parent || !slices.Equal(h.References, c.refs) {
			t.Errorf("%q: In-Reply-To %q, References %q; want %q, %q", c.header, h.InReplyTo, h.References, c.parent, c.refs)
		}
	}
}

// TestHeaderTime: the date of a message is its Date header's if it can be
// read and falls in the read's range, else its separator's if that does;
// the range is 1980 to a day from now by default, widened by a source's
// earliest.
func TestHeaderTime(t *testing.T) {
	opts := ingest.Options{}
	sep := time.Date(2005, 3, 1, 10, 0, 0, 0, time.UTC)
	zero := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC) // "Thu Jan  1 00:00:00 1970"
	cases := []struct {
		date     string
		fallback time.Time
		want     time.Time
		err      string
	}{
		{"Tue, 1 Mar 2005 09:00:00 +0000", sep, time.Date(2005, 3, 1, 9, 0, 0, 0, time.UTC), ""},
		{"yesterday", sep, sep, ""},                      // unreadable: the separator's
		{"Thu, 1 Jan 1970 00:00:00 +0000", sep, sep, ""}, // out of range: the separator's
		{"yesterday", zero, time.Time{}, `bad date "yesterday": no day, month and year, nor the separator's date: 1970-01-01 00:00:00 is before 1980-01-01`},
		{"", zero, time.Time{}, "no Date, nor the separator's date: 1970-01-01 00:00:00 is before 1980-01-01"},
		{"Sat, 1 Jan 2195 10:00:00 GMT", time.Time{}, time.Time{}, `Date "Sat, 1 Jan 2195 10:00:00 GMT": 2195-01-01 10:00:00 is in the future`},
		{"Thu, 1 Jan 1970 00:00:00 +0000", time.Time{}, time.Time{}, `Date "Thu, 1 Jan 1970 00:00:00 +0000": 1970-01-01 00:00:00 is before 1980-01-01`},
	}
	for _, c := range cases {
		h := Header{Date: c.date}
		got, err := h.Time(c.fallback, opts.Dates().Check)
		if msg := fmt.Sprint(err); c.err != "" && !strings.HasPrefix(msg, c.err) || c.err == "" && err != nil || !got.Equal(c.want) {
			t.Errorf("Date %q, separator %v: got %v, %v; want %v, %q", c.date, c.fallback, got, err, c.want, c.err)
		}
	}
	// A source whose archive begins in 1975 says so.
	h := Header{Date: "Wed, 1 Jan 1975 10:00:00 GMT"}
	opts.Earliest = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	if got, err := h.Time(time.Time{}, opts.Dates().Check); err != nil || got.Year() != 1975 {
		t.Errorf("earliest 1970: got %v, %v", got, err)
	}
}
