package server

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/calvinslist/calvin/config"
)

// TestIdleConnections: forty clients each make a request on a keep-alive
// connection and then hold it idle, against a server allowed sixteen
// connections (no token: /metrics is open to anyone). Every request is
// answered, the server never holds more than sixteen, and a new client
// is served after them all.
func TestIdleConnections(t *testing.T) {
	cfg, err := config.Parse(filepath.Join(t.TempDir(), "calvin.yaml"), []byte(testConfig))
	if err != nil {
		t.Fatal(err)
	}
	s := New(newFixture(t), cfg, Options{Now: october, Log: quietLog(), MaxConns: 16})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, ln) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	addr := ln.Addr().String()
	var held []net.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	for i := range 40 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("client %d: %v", i, err)
		}
		held = append(held, c)
		c.SetDeadline(time.Now().Add(60 * time.Second)) // generous: a busy machine
		fmt.Fprintf(c, "GET /api/v1/sources HTTP/1.1\r\nHost: calvin\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("client %d: %v", i, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("client %d: %s", i, resp.Status)
		}
		if n := s.conns.open(); n > 16 {
			t.Fatalf("after client %d the server holds %d connections, over its 16", i, n)
		}
	}
	client := &http.Client{Timeout: 60 * time.Second}
	resp, err := client.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("a new client after forty idle ones: %s", resp.Status)
	}
}
