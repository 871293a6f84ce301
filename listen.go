package main

// Where smslab listens: the listener, the URL it prints, and the warning when the port can be
// reached from beyond this machine.

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"syscall"
)

// listen opens the listener -addr names. An error names the flag or variable the address came
// from.
func listen(o options) (net.Listener, error) {
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			err = fmt.Errorf("%w: another program listens there; give another port", err)
		}
		return nil, fmt.Errorf("%s: %w", o.source("addr", o.addr), err)
	}
	return ln, nil
}

// reach says where a listener can be reached: url is one a browser on this machine can open,
// loopback when it listens on every address (0.0.0.0 or [::], which are no address to open);
// exposed says whether it takes more than loopback, and beyond lists the URLs others may use
// then (the machine's own addresses).
func reach(addr *net.TCPAddr) (url string, exposed bool, beyond []string) {
	port := strconv.Itoa(addr.Port)
	switch {
	case addr.IP.IsLoopback():
		return "http://" + net.JoinHostPort(addr.IP.String(), port), false, nil
	case addr.IP.IsUnspecified():
		// Go listens on IPv4 and IPv6 alike for 0.0.0.0 and [::], so 127.0.0.1 answers either way.
		return "http://" + net.JoinHostPort("127.0.0.1", port), true, machineURLs(port)
	}
	url = "http://" + net.JoinHostPort(addr.IP.String(), port)
	return url, true, []string{url}
}

// machineURLs lists this machine's addresses that others may reach, as URLs with port.
func machineURLs(port string) []string {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil
	}
	var urls []string
	for _, a := range addrs {
		ipNet, ok := a.(*net.IPNet)
		if !ok || !ipNet.IP.IsGlobalUnicast() {
			continue
		}
		urls = append(urls, "http://"+net.JoinHostPort(ipNet.IP.String(), port))
	}
	return urls
}

// warnExposed says what anyone who reaches an exposed listener may do without credentials, and
// where they reach it.
func warnExposed(logger *slog.Logger, listening net.Addr, beyond []string, strict bool) {
	msg := "listening beyond loopback: anyone who reaches this port reads the status page and /metrics without credentials"
	if !strict {
		msg += ", and the API takes any token (give -tokens or -access-keys to require credentials)"
	}
	logger.Warn(msg, "addr", listening.String(), "reachable_at", strings.Join(beyond, " "))
}
