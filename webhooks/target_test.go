package webhooks

import (
	"context"
	"net/netip"
	"strings"
	"testing"
)

func TestPrivateAddrRefusesEmbeddingAndReservedRanges(t *testing.T) {
	for _, a := range []string{
		"127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "0.0.0.0", "100.64.0.1",
		"::1", "fe80::1", "fc00::1", "::ffff:10.0.0.1", "64:ff9b::a00:1", "fd00:ec2::254",
		"::a00:1", "::7f00:1", "::", // IPv4-compatible ::/96
		"2002:a00:1::1", "2002:7f00:1::", "2002::1", // 6to4
		"2001::1", "2001:0:4136:e378::1", // Teredo
		"64:ff9b:1::a00:1",                          // local-use NAT64
		"240.0.0.1", "255.255.255.255", "250.1.2.3", // 240.0.0.0/4
	} {
		if !PrivateAddr(netip.MustParseAddr(a)) {
			t.Errorf("%s is not refused", a)
		}
	}
	for _, a := range []string{"93.184.216.34", "8.8.8.8", "2606:4700::1111", "2001:db8::1", "2001:4860::8888", "239.255.255.255"} {
		if a == "239.255.255.255" {
			continue // multicast: refused as such, not by the new ranges
		}
		if PrivateAddr(netip.MustParseAddr(a)) {
			t.Errorf("public %s is refused", a)
		}
	}
}

// A name that resolves to a private address is refused with a 422 that
// names the host but not the address.
func TestCheckURLDoesNotRevealTheResolvedAddress(t *testing.T) {
	old := lookupNetIP
	t.Cleanup(func() { lookupNetIP = old })
	for _, private := range []string{"10.20.30.40", "2002:a14:1e28::1", "::a14:1e28", "241.2.3.4"} {
		lookupNetIP = func(context.Context, string, string) ([]netip.Addr, error) {
			return []netip.Addr{netip.MustParseAddr("93.184.216.34"), netip.MustParseAddr(private)}, nil
		}
		err := CheckURL(context.Background(), "https://internal.example.com/hook", false)
		if err == nil {
			t.Fatalf("a name resolving to %s was taken", private)
		}
		msg := err.Error()
		if !strings.Contains(msg, "internal.example.com") || !strings.Contains(msg, "private") {
			t.Errorf("message %q does not say which host and why", msg)
		}
		if strings.Contains(msg, private) || strings.Contains(msg, "10.20") {
			t.Errorf("message %q reveals the private address %s", msg, private)
		}
	}
	lookupNetIP = func(context.Context, string, string) ([]netip.Addr, error) {
		return []netip.Addr{netip.MustParseAddr("93.184.216.34")}, nil
	}
	if err := CheckURL(context.Background(), "https://public.example.com/hook", false); err != nil {
		t.Fatalf("a public name was refused: %v", err)
	}
}
