//go:build unix

package conns

import "syscall"

// DescriptorLimit is the process's limit on open files (RLIMIT_NOFILE), which the Go runtime
// raises to the hard limit at start.
func DescriptorLimit() (uint64, bool) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, false
	}
	return lim.Cur, true
}
