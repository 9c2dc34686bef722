package message

import (
	"slices"
	"strings"
)

// ParseFrom reads a From header's value (RFC 2047 words already decoded)
// into the sender's normalised address and the name shown with it. addr
// is "" when the value holds no address ("()", "(Steve Tomassi)"): such a
// post has no author.
//
// The forms read: "Name <user@example.org>", "user@example.org (Name)",
// a bare address with anything after it ("user@example.org Thu Sep 19
// 17:31:10 2013": dropped), and the munged forms of archives and Usenet
// that cannot be a real address, undone (see NormalizeAddress). The
// address is lower-cased. The name is the address when none is given.
func ParseFrom(v string) (addr, name string) {
	v = strings.TrimSpace(v)
	alone := false // v is neither "... <address>" nor "address (name)"
	switch lt := strings.LastIndexByte(v, '<'); {
	case lt >= 0 && strings.IndexByte(v[lt:], '>') > 0:
		gt := lt + strings.IndexByte(v[lt:], '>')
		addr = v[lt+1 : gt]
		name = v[:lt] + v[gt+1:]
	case strings.IndexByte(v, '(') >= 0:
		lp := strings.IndexByte(v, '(')
		addr = v[:lp]
		name = v[lp+1:]
		if rp := strings.LastIndexByte(name, ')'); rp >= 0 {
			name = name[:rp]
		}
	default:
		addr, alone = v, true
	}
	addr = NormalizeAddress(addr)
	if alone && addr == "" {
		name = v // neither <address> nor (name): a name alone
	}
	name = cleanName(name)
	if name == "" {
		name = addr
	}
	return addr, name
}

// NormalizeAddress finds the mail address in a, lower-cased, or returns ""
// when a holds none (no word of the form local@domain).
//
// Munging is undone only where the address as written cannot be a real
// one, so that no one is given another person's address: "user at
// example dot org" (no @ at all), a marker that is a whole label of the
// domain (user@nospam.example.org, user@example.org.invalid), and a
// marker that says to remove itself (userREMOVETHIS@example.org). A
// marker glued to a word (hamish_nospam@yahoo.com,
// user@fixit.nospammail.net) or a label of the user's name
// (joe.nospam@example.org) may be real and is kept as written: calvin
// people suggest proposes the address without it, with the evidence,
// when that address posts too.
func NormalizeAddress(a string) string {
	a = strings.ToLower(strings.TrimSpace(a))
	if !strings.Contains(a, "@") {
		if i := strings.LastIndex(a, " at "); i > 0 {
			a = a[:i] + "@" + strings.ReplaceAll(strings.TrimSpace(a[i+4:]), " dot ", ".")
		}
	}
	word := a
	if strings.ContainsAny(a, " \t") {
		word = ""
		for _, w := range strings.Fields(a) {
			if strings.Contains(w, "@") {
				word = w
				break
			}
		}
	}
	word = strings.Trim(word, `<>"'(),;:[]`)
	for _, m := range removeMarkers {
		if strings.Contains(word, m) {
			for _, sep := range []string{".", "-", "_", "+"} {
				word = strings.ReplaceAll(word, sep+m, "")
				word = strings.ReplaceAll(word, m+sep, "")
			}
			word = strings.ReplaceAll(word, m, "")
		}
	}
	at := strings.LastIndexByte(word, '@')
	if at < 0 {
		return ""
	}
	local, domain := word[:at], word[at+1:]
	if local == "" || domain == "" {
		return ""
	}
	// Most domains have no label to drop: no marker (each holds "spam" or
	// "junk"), no .invalid, no empty label.
	if !strings.Contains(domain, "spam") && !strings.Contains(domain, "junk") && !strings.HasSuffix(domain, ".invalid") &&
		!strings.Contains(domain, "..") && domain[0] != '.' && domain[len(domain)-1] != '.' {
		return local + "@" + domain
	}
	labels := strings.Split(domain, ".")
	kept := labels[:0]
	for i, l := range labels {
		if l == "" || slices.Contains(SpamMarkers, l) || l == "invalid" && i == len(labels)-1 {
			continue
		}
		kept = append(kept, l)
	}
	if len(kept) == 0 {
		return local + "@" + domain // nothing but markers: as written
	}
	return local + "@" + strings.Join(kept, ".")
}

// SpamMarkers are the words people put into an address to defeat address
// harvesters. NormalizeAddress removes one only where it is a whole label
// of the domain; people_suggest looks for them anywhere.
var SpamMarkers = []string{"nospam", "no-spam", "no_spam", "spamless", "spamfree", "despam", "nojunk", "antispam"}

// removeMarkers tell the reader to remove them: removed wherever they are.
var removeMarkers = []string{"removethis", "remove-this", "remove_this", "remove.this", "removeme", "remove-me", "takethisout", "deletethis"}

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
