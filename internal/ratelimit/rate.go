package ratelimit

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"
)

// Rate is a parsed rate setting: Events per Per, with bursts of up to
// Burst. The zero Rate is off: everything is allowed.
type Rate struct {
	Events int
	Per    time.Duration
	Burst  int
}

// Off reports whether r limits nothing.
func (r Rate) Off() bool { return r.Events == 0 }

// Limit is r as a rate.Limit: tokens per second.
func (r Rate) Limit() rate.Limit {
	if r.Off() {
		return rate.Inf
	}
	return rate.Limit(float64(r.Events) / r.Per.Seconds())
}

var units = map[string]time.Duration{
	"s": time.Second, "sec": time.Second, "second": time.Second,
	"m": time.Minute, "min": time.Minute, "minute": time.Minute,
	"h": time.Hour, "hour": time.Hour,
}

// Parse reads a rate setting: "N/UNIT" or "N/UNIT:BURST", UNIT one of s,
// min (or m) and h; the burst defaults to N. "off" (or "0") is no limit.
// Examples: "50/s:100", "10/min", "6/min".
func Parse(s string) (Rate, error) {
	s = strings.TrimSpace(s)
	if s == "off" || s == "0" {
		return Rate{}, nil
	}
	spec, burstText, hasBurst := strings.Cut(s, ":")
	num, unit, ok := strings.Cut(spec, "/")
	if !ok {
		return Rate{}, fmt.Errorf("%q: want N/UNIT or N/UNIT:BURST (UNIT s, min or h), as in 50/s:100, or off", s)
	}
	n, err := strconv.Atoi(strings.TrimSpace(num))
	if err != nil || n <= 0 || n > 1_000_000 {
		return Rate{}, fmt.Errorf("%q: the count must be a whole number from 1 to 1000000", s)
	}
	per, ok := units[strings.ToLower(strings.TrimSpace(unit))]
	if !ok {
		return Rate{}, fmt.Errorf("%q: the unit must be s, min or h", s)
	}
	r := Rate{Events: n, Per: per, Burst: n}
	if hasBurst {
		b, err := strconv.Atoi(strings.TrimSpace(burstText))
		if err != nil || b <= 0 || b > 1_000_000 {
			return Rate{}, errors.New(strconv.Quote(s) + ": the burst must be a whole number from 1 to 1000000")
		}
		r.Burst = b
	}
	return r, nil
}

// String is r in Parse's syntax.
func (r Rate) String() string {
	if r.Off() {
		return "off"
	}
	unit := map[time.Duration]string{time.Second: "s", time.Minute: "min", time.Hour: "h"}[r.Per]
	s := strconv.Itoa(r.Events) + "/" + unit
	if r.Burst != r.Events {
		s += ":" + strconv.Itoa(r.Burst)
	}
	return s
}
