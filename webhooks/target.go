package webhooks

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/chatops/gateway/core"
)

// Target is a kind of subscription target other than an http(s) URL:
// "SCHEME:ADDRESS", such as "slack:CHANNEL_ID", which the delivery engine
// sends through the sender it has for SCHEME (package delivery).
type Target interface {
	// CheckTarget validates a subscription whose url has this kind's
	// scheme: the address, and what the kind needs of the subscription (its
	// format). It does not use the network, and returns an invalid
	// *core.Error.
	CheckTarget(sub core.Subscription) error
}

// blocked are address ranges a delivery never reaches unless private targets
// are allowed: beyond loopback, private, link-local (which holds the cloud
// metadata address 169.254.169.254) and unspecified addresses, these.
var blocked = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),     // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),      // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),     // benchmarking
	netip.MustParsePrefix("fd00:ec2::254/128"), // AWS metadata over IPv6
	netip.MustParsePrefix("64:ff9b::/96"),      // NAT64 can reach private IPv4
	netip.MustParsePrefix("64:ff9b:1::/48"),    // local-use NAT64, the same
	netip.MustParsePrefix("::/96"),             // IPv4-compatible IPv6 (deprecated) holds any IPv4
	netip.MustParsePrefix("2002::/16"),         // 6to4 embeds an IPv4 address
	netip.MustParsePrefix("2001::/32"),         // Teredo embeds one too
	netip.MustParsePrefix("240.0.0.0/4"),       // reserved, and broadcast
}

// PrivateAddr reports whether ip is loopback, private, link-local,
// unspecified, multicast or another address a webhook must not reach.
func PrivateAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() || !ip.IsValid() {
		return true
	}
	for _, p := range blocked {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// lookupNetIP resolves a URL's host; tests replace it.
var lookupNetIP = net.DefaultResolver.LookupNetIP

// ErrPrivateTarget is returned for a URL, or a dial (package delivery), to
// a private address.
var ErrPrivateTarget = errors.New("target address is loopback, private, link-local or metadata")

// CheckURL validates a subscription URL: http or https, a host, no
// credentials, and (unless allowPrivate) a host that is not and does not
// resolve to a private address. It returns an invalid *core.Error.
func CheckURL(ctx context.Context, raw string, allowPrivate bool) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return core.Errorf(core.EINVALID, "url must be an absolute http or https URL")
	}
	if u.User != nil {
		return core.Errorf(core.EINVALID, "url must not hold credentials")
	}
	if len(raw) > 2048 {
		return core.Errorf(core.EINVALID, "url is longer than 2048 characters")
	}
	if allowPrivate {
		return nil
	}
	host := u.Hostname()
	if ip, err := netip.ParseAddr(host); err == nil {
		if PrivateAddr(ip) {
			return core.Errorf(core.EINVALID, "url %s: %v (set GATEWAY_ALLOW_PRIVATE_TARGETS to allow)", u.Host, ErrPrivateTarget)
		}
		return nil
	}
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return core.Errorf(core.EINVALID, "url %s: %v (set GATEWAY_ALLOW_PRIVATE_TARGETS to allow)", u.Host, ErrPrivateTarget)
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	addrs, err := lookupNetIP(ctx, "ip", host)
	if err != nil {
		return core.Errorf(core.EINVALID, "url host %q does not resolve", host)
	}
	for _, a := range addrs {
		if PrivateAddr(a) {
			// The address stays unsaid: a 422 must not map the inside
			// network for whoever names hosts.
			return core.Errorf(core.EINVALID, "url host %s resolves to an address that is loopback, private, link-local, reserved or metadata (set GATEWAY_ALLOW_PRIVATE_TARGETS to allow)", host)
		}
	}
	return nil
}
