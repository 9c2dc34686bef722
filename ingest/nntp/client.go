package nntp

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/calvinslist/calvin/ingest"
)

// Client is one reader connection to a news server (RFC 3977): the
// commands Calvin needs to list groups and read their overviews, nothing
// that posts.
type Client struct {
	conn    net.Conn
	r       *bufio.Reader
	w       *bufio.Writer
	timeout time.Duration
	maxLine int
	caps    map[string][]string
	tls     bool
	// unwatch stops the closing of the connection when Dial's context
	// ends.
	unwatch func() bool
}

// Dialer says how to reach a server and who to be there.
type Dialer struct {
	Addr string // host:port
	// TLS connects over TLS from the start (nntps, port 563). Otherwise
	// the connection is upgraded with STARTTLS when the server offers it.
	TLS bool
	// TLSConfig, if set, is used for either kind of TLS; its ServerName
	// is filled in from Addr when empty.
	TLSConfig *tls.Config
	// User and Password, if User is set, are sent with AUTHINFO USER/PASS,
	// and only over TLS.
	User, Password string
	// Timeout bounds each command's round trip; 0 means a minute.
	Timeout time.Duration
	// MaxLine bounds a line of a block the server sends (an overview
	// line, a header); 0 means ingest.DefaultMaxRecord. A longer one is read and dropped,
	// and the command fails with the reason: memory does not grow with a
	// line. A status line longer than the read buffer (64 KiB) is an
	// error too.
	MaxLine int
}

// Error is a response the server gave that the command did not expect.
type Error struct {
	Code int
	Msg  string // the rest of the status line
	Cmd  string // the command, without arguments that are secret
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s: %d %s", e.Cmd, e.Code, e.Msg)
}

// Dial connects, reads the greeting, upgrades to TLS when asked or
// offered, authenticates when a user is set, and switches the server to
// reader mode when it needs it (MODE READER).
func (d *Dialer) Dial(ctx context.Context) (*Client, error) {
	timeout := d.Timeout
	if timeout <= 0 {
		timeout = time.Minute
	}
	nd := net.Dialer{Timeout: timeout}
	conn, err := nd.DialContext(ctx, "tcp", d.Addr)
	if err != nil {
		return nil, err
	}
	// The context's end closes the connection, so that a read waiting on
	// a silent server returns at once rather than at its timeout.
	c := &Client{timeout: timeout, maxLine: cmp.Or(d.MaxLine, ingest.DefaultMaxRecord), unwatch: context.AfterFunc(ctx, func() { conn.Close() })}
	c.setConn(conn)
	if d.TLS {
		if err := c.handshake(ctx, d.tlsConfig()); err != nil {
			c.unwatch()
			conn.Close()
			return nil, err
		}
	}
	if err := c.setUp(ctx, d); err != nil {
		c.unwatch()
		c.conn.Close()
		return nil, err
	}
	return c, nil
}

func (d *Dialer) tlsConfig() *tls.Config {
	cfg := &tls.Config{}
	if d.TLSConfig != nil {
		cfg = d.TLSConfig.Clone()
	}
	if cfg.ServerName == "" {
		host, _, err := net.SplitHostPort(d.Addr)
		if err != nil {
			host = d.Addr
		}
		cfg.ServerName = host
	}
	return cfg
}

func (c *Client) setConn(conn net.Conn) {
	c.conn = conn
	c.r = bufio.NewReaderSize(conn, 64<<10)
	c.w = bufio.NewWriter(conn)
}

// handshake turns the connection into a TLS one.
func (c *Client) handshake(ctx context.Context, cfg *tls.Config) error {
	tc := tls.Client(c.conn, cfg)
	hctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	if err := tc.HandshakeContext(hctx); err != nil {
		return fmt.Errorf("TLS: %w", err)
	}
	c.setConn(tc)
	c.tls = true
	return nil
}

// setUp runs the part of Dial after the connection is made.
func (c *Client) setUp(ctx context.Context, d *Dialer) error {
	c.conn.SetDeadline(time.Now().Add(c.timeout))
	code, msg, err := c.readStatus()
	if err != nil {
		return fmt.Errorf("greeting: %w", err)
	}
	if code != 200 && code != 201 {
		return &Error{Code: code, Msg: msg, Cmd: "greeting"}
	}
	if err := c.capabilities(); err != nil {
		return err
	}
	// A mode-switching server (INN's innd) is switched first: it offers
	// STARTTLS and AUTHINFO in reader mode, and RFC 4643 forbids MODE
	// READER after authenticating.
	if !c.Has("READER") {
		code, msg, err := c.send("MODE READER", "MODE READER")
		if err != nil {
			return err
		}
		if code != 200 && code != 201 && code != 500 && code != 501 { // 5xx: an old server that has one mode
			return &Error{Code: code, Msg: msg, Cmd: "MODE READER"}
		}
		if err := c.capabilities(); err != nil {
			return err
		}
	}
	if !c.tls && c.Has("STARTTLS") {
		if _, _, err := c.cmd(382, "STARTTLS"); err != nil {
			return err
		}
		if err := c.handshake(ctx, d.tlsConfig()); err != nil {
			return fmt.Errorf("STARTTLS: %w", err)
		}
		if err := c.capabilities(); err != nil { // they may change (RFC 4642)
			return err
		}
	}
	if d.User != "" {
		if !c.tls {
			return fmt.Errorf("the server offers no TLS: not sending the password in clear (use nntps://)")
		}
		return c.authenticate(d.User, d.Password)
	}
	return nil
}

// authenticate sends AUTHINFO USER, then PASS when the server asks.
func (c *Client) authenticate(user, password string) error {
	code, msg, err := c.cmd(0, "AUTHINFO USER %s", user)
	if err != nil {
		return err
	}
	switch code {
	case 281:
	case 381:
		code, msg, err = c.send("AUTHINFO PASS", "AUTHINFO PASS %s", password)
		if err != nil {
			return err
		}
		if code != 281 {
			return &Error{Code: code, Msg: msg, Cmd: "AUTHINFO PASS"}
		}
	default:
		return &Error{Code: code, Msg: msg, Cmd: "AUTHINFO USER"}
	}
	// Capabilities may change once authenticated (RFC 4643).
	return c.capabilities()
}

// capabilities reads CAPABILITIES. A server older than RFC 3977 does not
// know the command; it is then taken to offer nothing, and the commands
// Calvin uses are tried.
func (c *Client) capabilities() error {
	c.caps = map[string][]string{}
	code, msg, err := c.send("CAPABILITIES", "CAPABILITIES")
	if err != nil {
		return err
	}
	if code != 101 {
		if code == 500 || code == 501 || code == 480 {
			return nil
		}
		return &Error{Code: code, Msg: msg, Cmd: "CAPABILITIES"}
	}
	return c.readLines(func(line []byte) error {
		f := strings.Fields(string(line))
		if len(f) > 0 {
			c.caps[strings.ToUpper(f[0])] = f[1:]
		}
		return nil
	})
}

// Has reports whether the server listed capability name.
func (c *Client) Has(name string) bool {
	_, ok := c.caps[name]
	return ok
}

// Close says QUIT and closes the connection.
func (c *Client) Close() error {
	c.unwatch()
	c.conn.SetDeadline(time.Now().Add(2 * time.Second))
	c.send("QUIT", "QUIT")
	return c.conn.Close()
}

// Group is a newsgroup as LIST ACTIVE or GROUP tells it.
type Group struct {
	Name      string
	Low, High int64 // the lowest and highest article numbers; High < Low when empty
}

// List returns the groups matching wildmat (RFC 3977 section 4: patterns
// separated by commas, "!" negating).
func (c *Client) List(wildmat string) ([]Group, error) {
	if _, _, err := c.cmd(215, "LIST ACTIVE %s", wildmat); err != nil {
		return nil, err
	}
	var groups []Group
	err := c.readLines(func(line []byte) error {
		f := strings.Fields(string(line))
		if len(f) < 3 {
			return fmt.Errorf("LIST ACTIVE: bad line %q", line)
		}
		high, err1 := strconv.ParseInt(f[1], 10, 64)
		low, err2 := strconv.ParseInt(f[2], 10, 64)
		if err1 != nil || err2 != nil {
			return fmt.Errorf("LIST ACTIVE: bad line %q", line)
		}
		groups = append(groups, Group{Name: f[0], Low: low, High: high})
		return nil
	})
	return groups, err
}

// Select makes name the current group and returns its article range.
func (c *Client) Select(name string) (Group, error) {
	_, msg, err := c.cmd(211, "GROUP %s", name)
	if err != nil {
		return Group{}, err
	}
	f := strings.Fields(msg)
	if len(f) < 3 {
		return Group{}, &badGroup{name, msg}
	}
	low, err1 := strconv.ParseInt(f[1], 10, 64)
	high, err2 := strconv.ParseInt(f[2], 10, 64)
	if err1 != nil || err2 != nil {
		return Group{}, &badGroup{name, msg}
	}
	return Group{Name: name, Low: low, High: high}, nil
}

// badGroup is a GROUP answer whose numbers cannot be read (past 64 bits,
// or not numbers): the group is reported and passed over.
type badGroup struct{ name, msg string }

func (e *badGroup) Error() string { return fmt.Sprintf("GROUP %s: bad response %q", e.name, e.msg) }

// OverviewFormat returns the fields of an overview line after the seven
// every server sends (RFC 3977 section 8.4), such as "Xref:full".
func (c *Client) OverviewFormat() ([]string, error) {
	code, msg, err := c.send("LIST OVERVIEW.FMT", "LIST OVERVIEW.FMT")
	if err != nil {
		return nil, err
	}
	if code != 215 {
		if code == 503 || code == 500 || code == 501 {
			return nil, nil // the seven standard fields only
		}
		return nil, &Error{Code: code, Msg: msg, Cmd: "LIST OVERVIEW.FMT"}
	}
	var fields []string
	err = c.readLines(func(line []byte) error {
		fields = append(fields, strings.TrimSpace(string(line)))
		return nil
	})
	if len(fields) <= 7 {
		return nil, err
	}
	return fields[7:], err
}

// Over reads the overview of the articles lo to hi of the current group,
// calling fn with each line (valid until fn returns). It sends OVER, or
// XOVER to a server that does not offer OVER. ok is false when the range
// holds no article (423).
func (c *Client) Over(lo, hi int64, fn func(line []byte) error) (ok bool, err error) {
	verb := "OVER"
	if !c.Has("OVER") {
		verb = "XOVER"
	}
	return c.multi(224, fn, "%s %d-%d", verb, lo, hi)
}

// Hdr reads one header field of the articles lo to hi (HDR, or XHDR on a
// server without HDR): fn gets each article's number and value. ok is false
// when the range holds no article.
func (c *Client) Hdr(field string, lo, hi int64, fn func(n int64, value []byte) error) (ok bool, err error) {
	verb := "HDR"
	if !c.Has("HDR") {
		verb = "XHDR"
	}
	return c.multi(0, func(line []byte) error {
		num, value, _ := bytes.Cut(line, []byte{' '})
		n, err := strconv.ParseInt(string(num), 10, 64)
		if err != nil {
			return fmt.Errorf("%s: bad line %q", verb, line)
		}
		return fn(n, value)
	}, "%s %s %d-%d", verb, field, lo, hi)
}

// Head reads the header of article n of the current group. ok is false
// when there is no such article (423, or 430 for a message id).
func (c *Client) Head(n int64) (header []byte, ok bool, err error) {
	ok, err = c.multi(221, func(line []byte) error {
		header = append(append(header, line...), '\n')
		return nil
	}, "HEAD %d", n)
	return header, ok, err
}

// multi sends a command whose success is a multi-line response with code
// want (any 2xx when want is 0) and passes each line to fn. A 423 or 430
// (no such article) is not an error: ok is false.
func (c *Client) multi(want int, fn func([]byte) error, format string, args ...any) (ok bool, err error) {
	cmd := fmt.Sprintf(format, args...)
	code, msg, err := c.send(verbOf(cmd), "%s", cmd)
	if err != nil {
		return false, err
	}
	switch {
	case code == 423 || code == 430 || code == 420:
		return false, nil
	case want == 0 && code/100 == 2, code == want:
		return true, c.readLines(fn)
	}
	return false, &Error{Code: code, Msg: msg, Cmd: cmd}
}

// cmd sends a command and reads its status line; a code other than want
// (any 2xx or 3xx when want is 0) is an *Error.
func (c *Client) cmd(want int, format string, args ...any) (int, string, error) {
	cmd := fmt.Sprintf(format, args...)
	code, msg, err := c.send(verbOf(cmd), "%s", cmd)
	if err != nil {
		return code, msg, err
	}
	if (want == 0 && (code/100 == 2 || code/100 == 3)) || code == want {
		return code, msg, nil
	}
	return code, msg, &Error{Code: code, Msg: msg, Cmd: cmd}
}

// verbOf is a command as it may be shown in an error: AUTHINFO's argument
// is left out.
func verbOf(cmd string) string {
	if strings.HasPrefix(cmd, "AUTHINFO") {
		return strings.Join(strings.Fields(cmd)[:2], " ")
	}
	return cmd
}

// send writes a command line and reads the status line of its response.
// shown is the command as errors name it.
func (c *Client) send(shown, format string, args ...any) (int, string, error) {
	c.conn.SetDeadline(time.Now().Add(c.timeout))
	fmt.Fprintf(c.w, format, args...)
	c.w.WriteString("\r\n")
	if err := c.w.Flush(); err != nil {
		return 0, "", fmt.Errorf("%s: %w", shown, err)
	}
	code, msg, err := c.readStatus()
	if err != nil {
		return 0, "", fmt.Errorf("%s: %w", shown, err)
	}
	return code, msg, nil
}

// readStatus reads a status line: a three-digit code and a message.
func (c *Client) readStatus() (int, string, error) {
	b, err := c.r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		// A status line longer than the buffer: no server sends one.
		return 0, "", fmt.Errorf("a status line longer than %d bytes", c.r.Size())
	}
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return 0, "", err
	}
	line := strings.TrimRight(string(b), "\r\n")
	if len(line) < 3 {
		return 0, "", fmt.Errorf("bad status line %q", line)
	}
	code, err := strconv.Atoi(line[:3])
	if err != nil {
		return 0, "", fmt.Errorf("bad status line %q", line)
	}
	return code, strings.TrimSpace(line[3:]), nil
}

// readLines reads a multi-line block up to its "." line, undoing the dot
// stuffing, and passes each line without its line end to fn. An error of
// fn stops the calls but the block is read to its end, so that the
// connection stays usable.
func (c *Client) readLines(fn func([]byte) error) error {
	var ferr error
	var long []byte  // a line longer than the buffer, pieced together
	tooLong := false // the line being read is longer than maxLine: dropped
	for n := 0; ; n++ {
		if n&1023 == 0 {
			c.conn.SetDeadline(time.Now().Add(c.timeout))
		}
		line, err := c.r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			if len(long)+len(line) > c.maxLine {
				tooLong, long = true, long[:0]
			}
			if !tooLong {
				long = append(long, line...)
			}
			continue
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return err
		}
		if len(long)+len(line) > c.maxLine {
			tooLong = true
		}
		if tooLong {
			// The line is dropped, the block read to its end, and the
			// command fails with the reason.
			tooLong, long = false, nil
			if ferr == nil {
				ferr = fmt.Errorf("a line longer than %d bytes", c.maxLine)
			}
			continue
		}
		if long != nil {
			line = append(long, line...)
			long = nil
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) > 0 && line[0] == '.' {
			if len(line) == 1 {
				return ferr
			}
			line = line[1:]
		}
		if ferr == nil {
			ferr = fn(line)
		}
	}
}
