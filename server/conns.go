package server

import (
	"net"
	"sync"
	"syscall"
)

// limit returns ln bounded to s's most connections at once (Options.MaxConns):
// when every place is taken, Accept calls full (which closes the idle
// keep-alive connections) and then waits for a place, so that a crowd of
// idle clients cannot make the server run out of files and refuse the
// next request.
func (s *Server) limit(ln net.Listener, full func()) *connLimit {
	n := s.opts.MaxConns
	if n <= 0 {
		n = 256
		var lim syscall.Rlimit
		if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err == nil && lim.Cur/2 < uint64(n) {
			n = max(int(lim.Cur/2), 8)
		}
	}
	l := &connLimit{Listener: ln, places: make(chan struct{}, n), full: full}
	s.conns = l
	return l
}

// connLimit is a listener whose connections hold a place each while open.
type connLimit struct {
	net.Listener
	places chan struct{}
	full   func()
}

func (l *connLimit) Accept() (net.Conn, error) {
	select {
	case l.places <- struct{}{}:
	default:
		l.full()
		l.places <- struct{}{}
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.places
		return nil, err
	}
	return &placeConn{Conn: c, free: func() { <-l.places }}, nil
}

// open returns the number of connections open.
func (l *connLimit) open() int { return len(l.places) }

// placeConn gives its place back once, when closed.
type placeConn struct {
	net.Conn
	once sync.Once
	free func()
}

func (c *placeConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.free)
	return err
}
