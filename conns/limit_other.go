//go:build !unix

package conns

// DescriptorLimit reports no limit where the system has none to read.
func DescriptorLimit() (uint64, bool) { return 0, false }
