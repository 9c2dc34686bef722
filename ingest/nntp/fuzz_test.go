package nntp

import (
	"bufio"
	"bytes"
	"net"
	"testing"
	"time"
)

// FuzzOverview: any overview line is read into an article or refused,
// never a panic.
func FuzzOverview(f *testing.F) {
	f.Add([]byte("1\tHello\tAlice <alice@example.org>\tTue, 02 Jan 2024 10:00:00 GMT\t<t1@calvin.test>\t\t123\t4\tXref: h calvin.test.a:1"), "Xref:full")
	f.Add([]byte("x\t\t\t\t\t\t\t"), "")
	f.Fuzz(func(t *testing.T, line []byte, field string) {
		overviewArticle(line, []string{field})
	})
}

// FuzzServerLines: whatever a server sends as a status line and then a
// block of lines is read or refused with an error, never a panic, and no
// line is kept past the client's limit.
func FuzzServerLines(f *testing.F) {
	f.Add([]byte("211 5 9223372036854770000 9223372036854775807 comp.x\r\n1\tS\tF\tD\t<m>\t\t1\t1\r\n..x\r\n.\r\n"))
	f.Add([]byte("400 load at 16.99, try later\r\n"))
	f.Add([]byte("2\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, b := net.Pipe()
		defer a.Close()
		defer b.Close()
		c := &Client{conn: a, r: bufio.NewReaderSize(bytes.NewReader(data), 1<<10), timeout: time.Second, maxLine: 4 << 10}
		if _, _, err := c.readStatus(); err != nil {
			return
		}
		c.readLines(func(line []byte) error {
			if len(line) > 4<<10 {
				t.Fatalf("a line of %d bytes past the limit", len(line))
			}
			return nil
		})
	})
}
