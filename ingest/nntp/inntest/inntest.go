// Package inntest runs a private INN 2 news server (Debian's inn2) on
// loopback for tests: its own configuration, spool and database in a
// temporary folder, innd on a free port (readers handed to nnrpd after
// MODE READER, STARTTLS with a certificate made for the test), and
// optionally nnrpd alone on a second port speaking TLS from the start
// (nntps).
//
// It needs INN installed (make test installs it) and root, from which innd
// drops to the news user. Without them a test is skipped, or fails when
// CALVIN_TEST_INN=require, as make test sets.
package inntest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Bin is where Debian's inn2 puts INN's programs.
const Bin = "/usr/lib/news/bin"

// Options configure a server.
type Options struct {
	Groups []string // the newsgroups it carries
	// User and Password, if User is set, are an account in the server's
	// password file; readers must then authenticate.
	User, Password string
	// TLSPort starts nnrpd alone on a second port with TLS from the start.
	TLSPort bool
	// Active are more lines of the active file, as written there: a
	// group with the numbers of its articles ("NAME HIGH LOW y"), such
	// as a hostile or broken server announces.
	Active []string
}

// Server is a running INN.
type Server struct {
	Dir     string // its folder: etc, db, spool, run, log
	Addr    string // innd's host:port
	TLSAddr string // nnrpd's TLS host:port, if Options.TLSPort
	// TLS trusts the server's certificate (made for 127.0.0.1).
	TLS *tls.Config

	t    testing.TB
	env  []string
	innd *exec.Cmd
	tlsd *exec.Cmd
}

// Start starts a server and stops it when the test ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	if _, err := os.Stat(filepath.Join(Bin, "innd")); err != nil {
		skip(t, "INN 2 is not installed (apt-get install inn2; make test does it)")
	}
	if os.Geteuid() != 0 {
		skip(t, "innd must be started as root")
	}
	news, err := user.Lookup("news")
	if err != nil {
		skip(t, "no news user: "+err.Error())
	}
	dir, err := os.MkdirTemp("", "calvin-inn-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	s := &Server{Dir: dir, t: t}
	port := freePort(t)
	s.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	s.env = append(os.Environ(), "INNCONF="+s.path("etc/inn.conf"))

	for _, d := range []string{"etc", "db", "run", "log", "http", "tmp", "filter",
		"spool/articles", "spool/overview", "spool/incoming/tmp", "spool/outgoing", "spool/archive"} {
		if err := os.MkdirAll(s.path(d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	s.TLS = s.writeCert()
	s.write("etc/inn.conf", s.innConf(port))
	s.write("etc/readers.conf", s.readersConf(opts))
	s.write("etc/incoming.conf", "peer ME {\n  hostname: \"localhost, 127.0.0.1\"\n}\n")
	s.write("etc/newsfeeds", "ME:!*/!local::\n")
	s.write("etc/storage.conf", "method tradspool {\n  newsgroups: *\n  class: 0\n}\n")
	s.write("etc/expire.ctl", "/remember/:11\n*:A:never:never:never\n")
	for _, f := range []string{"control.ctl", "distrib.pats", "distributions", "moderators", "subscriptions", "nnrpd.track", "inn-secrets.conf"} {
		s.write("etc/"+f, "")
	}
	if opts.User != "" {
		s.write("etc/passwd", opts.User+":"+cryptPassword(t, opts.Password)+"\n")
	}
	active := "control 0000000000 0000000001 n\ncontrol.cancel 0000000000 0000000001 n\njunk 0000000000 0000000001 n\n"
	for _, g := range opts.Groups {
		active += g + " 0000000000 0000000001 y\n"
	}
	for _, line := range opts.Active {
		active += line + "\n"
	}
	s.write("db/active", active)
	s.write("db/active.times", "")
	s.write("db/newsgroups", "")
	s.write("db/history", "")

	uid, _ := strconv.Atoi(news.Uid)
	gid, _ := strconv.Atoi(news.Gid)
	if err := filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, gid)
	}); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(s.path("etc/key.pem"), 0o600); err != nil {
		t.Fatal(err)
	}
	s.run(news, "makedbz", "-i", "-o")

	s.innd = s.daemon("innd", filepath.Join(Bin, "innd"), "-d")
	waitListening(t, s.Addr, s.path("log/innd.out"))
	if opts.TLSPort {
		tport := freePort(t)
		s.TLSAddr = net.JoinHostPort("127.0.0.1", strconv.Itoa(tport))
		s.tlsd = s.daemon("nnrpd", filepath.Join(Bin, "nnrpd"), "-D", "-f", "-S", "-b", "127.0.0.1", "-p", strconv.Itoa(tport))
		waitListening(t, s.TLSAddr, s.path("log/nnrpd.out"))
	}
	return s
}

func skip(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CALVIN_TEST_INN") == "require" {
		t.Fatal(why)
	}
	t.Skip(why)
}

func (s *Server) path(p string) string { return filepath.Join(s.Dir, filepath.FromSlash(p)) }

func (s *Server) write(p, text string) {
	s.t.Helper()
	if err := os.WriteFile(s.path(p), []byte(text), 0o644); err != nil {
		s.t.Fatal(err)
	}
}

// innConf is the server's inn.conf: every path inside Dir, loopback only,
// articles of any age accepted (the fixtures are from 1993).
func (s *Server) innConf(port int) string {
	var b strings.Builder
	for _, kv := range [][2]string{
		{"domain", "calvin.test"},
		{"pathhost", "calvin.test"},
		{"server", "127.0.0.1"},
		{"bindaddress", "127.0.0.1"},
		{"port", strconv.Itoa(port)},
		{"nnrpdpostport", strconv.Itoa(port)},
		{"artcutoff", "0"},
		// nnrpd refuses readers while the load average is over 16 by
		// default ("400 load at 16.99, try later"): on a busy CI machine
		// the tests' reads failed so. The tests' server serves them always.
		{"nnrpdloadlimit", "0"},
		{"ovmethod", "tradindexed"},
		{"hismethod", "hisv6"},
		{"enableoverview", "true"},
		{"storeonxref", "true"},
		{"wireformat", "true"},
		{"pgpverify", "false"},
		{"doinnwatch", "false"},
		{"maxartsize", "1000000"},
		{"mta", `"/bin/true %s"`},
		{"tlscertfile", s.path("etc/cert.pem")},
		{"tlskeyfile", s.path("etc/key.pem")},
		{"pathnews", "/usr/lib/news"},
		{"pathbin", Bin},
		{"pathcontrol", Bin + "/control"},
		{"pathfilter", s.path("filter")},
		{"pathetc", s.path("etc")},
		{"pathdb", s.path("db")},
		{"pathrun", s.path("run")},
		{"pathlog", s.path("log")},
		{"pathhttp", s.path("http")},
		{"pathtmp", s.path("tmp")},
		{"pathspool", s.path("spool")},
		{"patharticles", s.path("spool/articles")},
		{"pathoverview", s.path("spool/overview")},
		{"pathincoming", s.path("spool/incoming")},
		{"pathoutgoing", s.path("spool/outgoing")},
		{"patharchive", s.path("spool/archive")},
	} {
		fmt.Fprintf(&b, "%s: %s\n", kv[0], kv[1])
	}
	return b.String()
}

// readersConf lets loopback readers read every group, or, when opts has
// a user, only readers who authenticate as that user.
func (s *Server) readersConf(opts Options) string {
	if opts.User == "" {
		return `auth "local" {
  hosts: "127.0.0.1, localhost, stdin"
  default: "<local>"
}
access "local" {
  users: "<local>"
  newsgroups: "*"
  access: RPA
}
`
	}
	return fmt.Sprintf(`auth "users" {
  hosts: "127.0.0.1, localhost"
  auth: "ckpasswd -f %s"
}
access "users" {
  users: "%s"
  newsgroups: "*"
  access: RPA
}
`, s.path("etc/passwd"), opts.User)
}

// writeCert makes a self-signed certificate for 127.0.0.1 and returns a
// TLS configuration that trusts it.
func (s *Server) writeCert() *tls.Config {
	s.t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		s.t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "calvin.test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:              []string{"localhost"},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		s.t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		s.t.Fatal(err)
	}
	s.write("etc/cert.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
	s.write("etc/key.pem", string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})))
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		s.t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{RootCAs: pool}
}

// cryptPassword hashes a password for ckpasswd's file, with openssl.
func cryptPassword(t testing.TB, password string) string {
	out, err := exec.Command("openssl", "passwd", "-5", password).Output()
	if err != nil {
		t.Fatalf("openssl passwd: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// run runs one of INN's programs as the news user and fails the test if
// it fails.
func (s *Server) run(news *user.User, name string, args ...string) {
	s.t.Helper()
	cmd := exec.Command("setpriv", append([]string{"--reuid=" + news.Uid, "--regid=" + news.Gid, "--clear-groups", filepath.Join(Bin, name)}, args...)...)
	cmd.Env = s.env
	if out, err := cmd.CombinedOutput(); err != nil {
		s.t.Fatalf("%s: %v\n%s", name, err, out)
	}
}

// daemon starts a server program in the foreground, its output in
// log/NAME.out, and kills it when the test ends.
func (s *Server) daemon(name, path string, args ...string) *exec.Cmd {
	s.t.Helper()
	out, err := os.Create(s.path("log/" + name + ".out"))
	if err != nil {
		s.t.Fatal(err)
	}
	cmd := exec.Command(path, args...)
	cmd.Env = s.env
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	// A throwaway server: killed, not shut down (innd takes seconds to
	// stop on SIGTERM). Its folder goes with the test.
	s.t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		out.Close()
	})
	return cmd
}

// Post injects articles, each a whole article as it would be on the wire
// (header, blank line, body; LF line ends), through rnews, as a batch.
func (s *Server) Post(articles ...[]byte) {
	s.t.Helper()
	var batch bytes.Buffer
	for _, a := range articles {
		fmt.Fprintf(&batch, "#! rnews %d\n", len(a))
		batch.Write(a)
	}
	_, port, _ := net.SplitHostPort(s.Addr)
	cmd := exec.Command(filepath.Join(Bin, "rnews"), "-r", "127.0.0.1", "-P", port)
	cmd.Env = s.env
	cmd.Stdin = &batch
	if out, err := cmd.CombinedOutput(); err != nil {
		s.t.Fatalf("rnews: %v\n%s", err, out)
	}
}

// Ctl runs ctlinnd with args (newgroup, rmgroup, ...).
func (s *Server) Ctl(args ...string) {
	s.t.Helper()
	cmd := exec.Command(filepath.Join(Bin, "ctlinnd"), append([]string{"-t", "10"}, args...)...)
	cmd.Env = s.env
	if out, err := cmd.CombinedOutput(); err != nil {
		s.t.Fatalf("ctlinnd %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// Articles makes n articles for benchmarks spread over groups, as a busy hierarchy
// has them: one in five a topic, the rest replies with References chains
// of up to four ids, one in ten crossposted to a second group.
func Articles(n int, groups []string) [][]byte {
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	arts := make([][]byte, n)
	for i := range n {
		g := groups[i%len(groups)]
		if i%10 == 9 {
			g += "," + groups[(i+1)%len(groups)]
		}
		refs := ""
		if i%5 != 0 {
			topic := i - i%5
			refs = fmt.Sprintf("<a%d@bench.test>", topic)
			for j := max(topic+1, i-3); j < i; j++ {
				refs += fmt.Sprintf(" <a%d@bench.test>", j)
			}
		}
		h := fmt.Sprintf("Path: bench!not-for-mail\nFrom: User %d <user%d@example.org>\nNewsgroups: %s\nSubject: Re: topic %d\nMessage-ID: <a%d@bench.test>\nDate: %s\n",
			i%997, i%997, g, i-i%5, i, start.Add(time.Duration(i)*time.Minute).Format(time.RFC1123Z))
		if refs != "" {
			h += "References: " + refs + "\n"
		}
		arts[i] = []byte(h + "\nA body of a few lines.\nSecond line.\n")
	}
	return arts
}

// Proxy forwards connections to a server, and can cut a connection after
// a number of bytes from the server, hold one without a word, or refuse
// connections: a network that fails, for tests of what a client does then.
type Proxy struct {
	Addr     string       // where it listens
	CutAfter atomic.Int64 // the bytes from the server a cut connection passes on
	Cuts     atomic.Int32 // how many more connections to cut
	Stalls   atomic.Int32 // how many more connections to hold, saying nothing
	Refuse   atomic.Bool  // close connections as soon as they are made
	Busy     atomic.Int32 // how many more connections to greet as a loaded nnrpd does ("400 load at 16.99, try later") and close
}

// NewProxy starts a proxy to target, stopped when the test ends.
func NewProxy(t testing.TB, target string) *Proxy {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	p := &Proxy{Addr: l.Addr().String()}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			if p.Refuse.Load() {
				c.Close()
				continue
			}
			go p.serve(c, target)
		}
	}()
	return p
}

func (p *Proxy) serve(c net.Conn, target string) {
	defer c.Close()
	if p.Busy.Add(-1) >= 0 {
		io.WriteString(c, "400 load at 16.99, try later\r\n")
		return
	}
	if p.Stalls.Add(-1) >= 0 {
		io.Copy(io.Discard, c) // until the client hangs up
		return
	}
	s, err := net.Dial("tcp", target)
	if err != nil {
		return
	}
	defer s.Close()
	go io.Copy(s, c)
	if p.Cuts.Add(-1) >= 0 {
		io.CopyN(c, s, p.CutAfter.Load())
		return
	}
	io.Copy(c, s)
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// waitListening waits up to ten seconds for addr to accept connections,
// and fails the test with the server's log if it does not.
func waitListening(t testing.TB, addr, log string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	out, _ := os.ReadFile(log)
	t.Fatalf("no server on %s after 10 s; its log:\n%s", addr, out)
}
