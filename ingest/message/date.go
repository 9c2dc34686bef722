package message

import (
	"fmt"
	"strings"
	"time"
)

// ParseDate reads a date in the forms real mail and news carry: RFC 5322
// ("Sat, 1 Jan 2005 14:40:44 +0100 (MET)"), its obsolete forms (no weekday,
// no seconds, two- and three-digit years, zone names such as "EST" or
// "MET"), RFC 850 ("Saturday, 01-Jan-05 14:40:44 GMT"), and the asctime
// form of mbox separators and old Usenet ("Sat Jan  1 13:40:44 2005").
//
// A two-digit year is 2000+ below 50 and 1900+ from 50 on, a three-digit
// one 1900+ (RFC 5322, 4.3). A 12-hour time is read with its AM or PM
// ("06:16:48 PM -0700" is 18:16). A missing or unknown zone is UTC. A
// date before 1900 or after 2200, or one whose fields are out of range,
// is an error; which dates a post may have is the reader's to check
// (ingest.Options.Dates).
func ParseDate(s string) (time.Time, error) {
	var (
		day, month, year, yearDigits = -1, -1, -1, 0
		hour, min, sec               = -1, 0, 0
		offset                       = 0
		haveZone                     bool
		half                         = "" // "am" or "pm" of a 12-hour time
	)
	bad := func(why string) (time.Time, error) {
		return time.Time{}, fmt.Errorf("bad date %q: %s", s, why)
	}
	for _, tok := range dateTokens(s) {
		switch {
		case strings.IndexByte(tok, ':') > 0 && isDigit(tok[0]):
			h, m, sc, ok := parseClock(tok)
			if !ok || hour >= 0 {
				return bad("bad time of day")
			}
			hour, min, sec = h, m, sc
		case (tok[0] == '+' || tok[0] == '-') && len(tok) > 1 && isDigit(tok[1]):
			off, ok := parseOffset(tok[1:])
			if !ok {
				return bad("bad zone " + tok)
			}
			if tok[0] == '-' {
				off = -off
			}
			offset, haveZone = off, true
		case isDigit(tok[0]):
			if d, m, y, yd, ok := parseDashed(tok); ok {
				day, month, year, yearDigits = d, m, y, yd
				continue
			}
			n, ok := atoi(tok)
			if !ok {
				return bad("bad number " + tok)
			}
			switch {
			case day < 0 && len(tok) <= 2 && n >= 1 && n <= 31 && year < 0:
				day = n
			case year < 0:
				year, yearDigits = n, len(tok)
			default:
				return bad("too many numbers")
			}
		default:
			lower := strings.ToLower(tok)
			if m, ok := monthOf(lower); ok {
				if month >= 0 {
					return bad("two months")
				}
				month = m
				continue
			}
			if IsWeekday(lower) {
				continue
			}
			switch lower {
			case "am", "pm", "a.m.", "p.m.":
				if half != "" {
					return bad("two AM/PM")
				}
				half = lower[:1] + "m"
				continue
			}
			if off, ok := zoneNames[lower]; ok && !haveZone {
				offset, haveZone = off, true
				continue
			}
			if len(lower) == 1 && lower != "j" && !haveZone {
				haveZone = true // a military zone: RFC 5322 says take it as -0000
				continue
			}
			// Anything else (a zone unknown here) is left out.
		}
	}
	switch {
	case day < 0 || month < 0 || year < 0:
		return bad("no day, month and year")
	case hour < 0:
		return bad("no time of day")
	case half != "" && (hour < 1 || hour > 12):
		return bad("a 12-hour time's hour is 1 to 12")
	case half == "am" && hour == 12:
		hour = 0
	case half == "pm" && hour < 12:
		hour += 12
	}
	switch yearDigits {
	case 1, 2:
		if year < 50 {
			year += 2000
		} else {
			year += 1900
		}
	case 3:
		year += 1900
	}
	if year < 1900 || year > 2200 {
		return bad("year out of range")
	}
	if hour > 23 || min > 59 || sec > 60 {
		return bad("time of day out of range")
	}
	if sec == 60 {
		sec = 59 // a leap second
	}
	if day > daysIn(time.Month(month), year) {
		return bad("no such day")
	}
	t := time.Date(year, time.Month(month), day, hour, min, sec, 0, time.UTC)
	return t.Add(-time.Duration(offset) * time.Second), nil
}

// dateTokens splits a date into words, numbers, times and zones, leaving
// out comments ("(MET)") and the punctuation between fields.
func dateTokens(s string) []string {
	var toks []string
	depth := 0
	start := -1
	flush := func(i int) {
		if start >= 0 {
			toks = append(toks, s[start:i])
			start = -1
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '(':
			flush(i)
			depth++
		case c == ')':
			if depth > 0 {
				depth--
			}
		case depth > 0:
		case c == ' ' || c == '\t' || c == ',' || c == '\r' || c == '\n':
			flush(i)
		case start < 0:
			start = i
		}
	}
	if depth == 0 {
		flush(len(s))
	}
	return toks
}

// parseClock reads hh:mm or hh:mm:ss, with fractions of a second ignored.
func parseClock(s string) (h, m, sec int, ok bool) {
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, 0, 0, false
	}
	if h, ok = atoi(parts[0]); !ok || len(parts[0]) > 2 {
		return 0, 0, 0, false
	}
	if m, ok = atoi(parts[1]); !ok || len(parts[1]) != 2 {
		return 0, 0, 0, false
	}
	if len(parts) == 3 {
		secs := parts[2]
		if i := strings.IndexByte(secs, '.'); i >= 0 {
			secs = secs[:i]
		}
		if sec, ok = atoi(secs); !ok || len(secs) != 2 {
			return 0, 0, 0, false
		}
	}
	return h, m, sec, true
}

// parseOffset reads a zone's hhmm or hh:mm, in seconds, or hh alone (a
// form old news software wrote: "+02").
func parseOffset(s string) (int, bool) {
	s = strings.Replace(s, ":", "", 1)
	if len(s) == 2 {
		s += "00"
	}
	if len(s) != 4 {
		return 0, false
	}
	n, ok := atoi(s)
	if !ok || n%100 > 59 || n/100 > 14 {
		return 0, false
	}
	return (n/100)*3600 + (n%100)*60, true
}

// parseDashed reads RFC 850's 01-Jan-05 and ISO's 2005-01-01.
func parseDashed(s string) (day, month, year, yearDigits int, ok bool) {
	parts := strings.Split(s, "-")
	if len(parts) != 3 {
		return 0, 0, 0, 0, false
	}
	if m, isMonth := monthOf(strings.ToLower(parts[1])); isMonth {
		d, ok1 := atoi(parts[0])
		y, ok2 := atoi(parts[2])
		return d, m, y, len(parts[2]), ok1 && ok2 && d >= 1 && d <= 31
	}
	y, ok1 := atoi(parts[0])
	m, ok2 := atoi(parts[1])
	d, ok3 := atoi(parts[2])
	if !ok1 || !ok2 || !ok3 || len(parts[0]) != 4 || m < 1 || m > 12 || d < 1 || d > 31 {
		return 0, 0, 0, 0, false
	}
	return d, m, y, 4, true
}

// atoi reads a non-negative decimal of at most 9 digits.
func atoi(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// monthOf takes a lower-case month name, whole or its first three letters.
func monthOf(s string) (int, bool) {
	if len(s) < 3 {
		return 0, false
	}
	i := strings.Index("janfebmaraprmayjunjulaugsepoctnovdec", s[:3])
	if i < 0 || i%3 != 0 {
		return 0, false
	}
	if len(s) > 3 && !strings.HasPrefix(fullMonths[i/3], s) && s != "sept" {
		return 0, false
	}
	return i/3 + 1, true
}

var fullMonths = [12]string{"january", "february", "march", "april", "may", "june",
	"july", "august", "september", "october", "november", "december"}

// IsWeekday reports whether s names a day of the week, whole or in
// three letters, in any case, with or without a trailing comma.
func IsWeekday(s string) bool {
	s = strings.ToLower(strings.TrimSuffix(s, ","))
	if len(s) < 3 {
		return false
	}
	i := strings.Index("montuewedthufrisatsun", s[:3])
	return i >= 0 && i%3 == 0
}

func daysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// zoneNames are the zone names of RFC 5322 and the ones common in old mail
// and news, as offsets east of UTC in seconds.
var zoneNames = map[string]int{
	"ut": 0, "utc": 0, "gmt": 0, "z": 0, "wet": 0, "bst": 3600,
	"est": -5 * 3600, "edt": -4 * 3600, "cst": -6 * 3600, "cdt": -5 * 3600,
	"mst": -7 * 3600, "mdt": -6 * 3600, "pst": -8 * 3600, "pdt": -7 * 3600,
	"akst": -9 * 3600, "akdt": -8 * 3600, "hst": -10 * 3600,
	"ast": -4 * 3600, "adt": -3 * 3600, "nst": -12600, "ndt": -9000,
	"met": 3600, "cet": 3600, "mez": 3600, "mest": 7200, "cest": 7200, "mesz": 7200,
	"eet": 7200, "eest": 10800, "msk": 10800, "msd": 14400,
	"ist": 19800, "jst": 9 * 3600, "kst": 9 * 3600, "hkt": 8 * 3600,
	"aest": 10 * 3600, "aedt": 11 * 3600, "nzst": 12 * 3600, "nzdt": 13 * 3600,
}
