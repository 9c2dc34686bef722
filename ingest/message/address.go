package message

import (
	"strings"
)

// ParseFrom reads a From header's value (RFC 2047 words already decoded)
// into the sender's normalised address and the name shown with it.
//
// The forms read: "Name <user@example.org>", "user@example.org (Name)",
// a bare address, and the munged forms of archives and Usenet: "user at
// example.org" (Mailman's pipermail), and anti-spam markers such as
// "user@nospam.example.org" or "user.NOSPAM@example.org", removed. The
// address is lower-cased. The name is the address when none is given.
func ParseFrom(v string) (addr, name string) {
	v = strings.TrimSpace(v)
	switch lt := strings.LastIndexByte(v, '<'); {
	case lt >= 0 && strings.IndexByte(v[lt:], '>') > 0:
		gt := lt + strings.IndexByte(v[lt:], '>')
		addr = v[lt+1 : gt]
		name = v[:lt] + v[gt+1:]
	case strings.IndexByte(v, '(') > 0:
		lp := strings.IndexByte(v, '(')
		addr = v[:lp]
		name = strings.TrimSuffix(strings.TrimSpace(v[lp+1:]), ")")
	default:
		addr = v
	}
	addr = NormalizeAddress(addr)
	name = cleanName(name)
	if name == "" {
		name = addr
	}
	return addr, name
}

// NormalizeAddress lower-cases an address, turns "user at example.org"
// into user@example.org and drops anti-spam markers.
func NormalizeAddress(a string) string {
	a = strings.ToLower(strings.TrimSpace(a))
	a = strings.Trim(a, "<>\"' ")
	if !strings.Contains(a, "@") {
		if i := strings.LastIndex(a, " at "); i > 0 {
			a = strings.TrimSpace(a[:i]) + "@" + strings.TrimSpace(a[i+4:])
		}
	}
	a = strings.Join(strings.Fields(a), "")
	at := strings.LastIndexByte(a, '@')
	if at < 0 {
		return a
	}
	local, domain := a[:at], a[at+1:]
	for _, m := range spamMarkers {
		local = stripMarker(local, m)
		domain = stripMarker(domain, m)
	}
	if local == "" || domain == "" {
		return a
	}
	return local + "@" + domain
}

// spamMarkers are the words people put into an address to defeat address
// harvesters, longest first.
var spamMarkers = []string{"removethis", "remove-this", "remove.this", "remove_this",
	"nospam", "no-spam", "no.spam", "no_spam", "spamless", "spamfree", "despam"}

// stripMarker removes a marker from one side of an address: as a whole
// dot-separated label (user@nospam.example.org, user.nospam@), or glued
// to the end or start of it (usernospam@, nospamuser@).
func stripMarker(s, m string) string {
	if !strings.Contains(s, m) {
		return s
	}
	labels := strings.Split(s, ".")
	kept := labels[:0]
	for _, l := range labels {
		switch {
		case l == m:
			continue
		case strings.HasSuffix(l, m) && len(l) > len(m):
			l = strings.TrimRight(strings.TrimSuffix(l, m), "-_+")
		case strings.HasPrefix(l, m) && len(l) > len(m):
			l = strings.TrimLeft(strings.TrimPrefix(l, m), "-_+")
		}
		if l != "" {
			kept = append(kept, l)
		}
	}
	return strings.Join(kept, ".")
}

// cleanName trims a display name of spaces and the quotes around it, and
// undoes backslash escapes.
func cleanName(n string) string {
	n = strings.TrimSpace(n)
	if len(n) >= 2 && n[0] == '"' && n[len(n)-1] == '"' {
		n = n[1 : len(n)-1]
	}
	if strings.IndexByte(n, '\\') >= 0 {
		var b strings.Builder
		for i := 0; i < len(n); i++ {
			if n[i] == '\\' && i+1 < len(n) {
				i++
			}
			b.WriteByte(n[i])
		}
		n = b.String()
	}
	return strings.Join(strings.Fields(n), " ")
}
