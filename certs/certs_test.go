package certs_test

import (
	"crypto/x509"
	"encoding/pem"
	"testing"
	"time"

	"smslab/certs"
)

func TestForTaskSignsEachPairWithTheTasksCA(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	m, err := certs.ForTask("t-1", now)
	if err != nil {
		t.Fatal(err)
	}
	ca := parse(t, m.CA)
	roots := x509.NewCertPool()
	roots.AddCert(ca)
	for _, p := range []certs.Pair{m.Source, m.TargetMgmt, m.TargetData} {
		cert := parse(t, p.Cert)
		if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, CurrentTime: now.Add(certs.Validity - time.Hour),
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err != nil {
			t.Errorf("%v: %v", cert.Subject, err)
		}
		if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, CurrentTime: now.Add(certs.Validity + time.Hour)}); err == nil {
			t.Errorf("%v: valid past its validity", cert.Subject)
		}
	}
	again, err := certs.ForTask("t-1", now)
	if err != nil {
		t.Fatal(err)
	}
	if again.Passphrase == m.Passphrase || again.Source.Key == m.Source.Key {
		t.Error("two makings for one task made the same secrets")
	}
}

func parse(t *testing.T, s string) *x509.Certificate {
	t.Helper()
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		t.Fatalf("not PEM: %q", s)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// BenchmarkForTask is the cost of a task's first ShowPassphrase or ShowCertKey beyond its write.
func BenchmarkForTask(b *testing.B) {
	now := time.Now()
	for b.Loop() {
		if _, err := certs.ForTask("3f6e1d2c-8b4a-4c5d-9e7f-000000000012", now); err != nil {
			b.Fatal(err)
		}
	}
}
