package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is smslab's version, stamped in by the release build (go run ./release) with
// -ldflags "-X main.version=...". A plain go build leaves it empty: see versionString.
var version string

// versionString is version, or else what Go recorded of the build: the module's version when
// installed from a tagged release, or the commit of the checkout, with -dirty if it had changes.
func versionString() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	rev, dirty := "", false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return "devel"
	}
	v := "devel-" + rev[:min(12, len(rev))]
	if dirty {
		v += "-dirty"
	}
	return v
}

// versionLine is what smslab -version prints.
func versionLine() string {
	return fmt.Sprintf("smslab %s (%s %s/%s)\n", versionString(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
