// Package certs makes the secrets of a task's secure channel, which ShowPassphrase and ShowCertKey
// answer: a random passphrase, and a CA that signs three certificate and key pairs (the source's,
// the target's for task management and the target's for data), PEM-encoded, ECDSA P-256.
package certs

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"time"
)

// Validity is how long the certificates are valid from when they are made: longer than any lab.
const Validity = 10 * 365 * 24 * time.Hour

// Pair is a PEM certificate and its PEM (PKCS #8) private key.
type Pair struct {
	Cert, Key string
}

// Material is what a task's secure channel needs.
type Material struct {
	Passphrase string
	// CA is the PEM certificate of the task's CA, which signed the three pairs. Its key is not
	// kept: nothing is signed after.
	CA                             string
	Source, TargetMgmt, TargetData Pair
}

// The organizational units that tell the certificates of a task apart; the common name is the
// task's id.
const (
	UnitCA         = "CA"
	UnitSource     = "source"
	UnitTargetMgmt = "target management"
	UnitTargetData = "target data"
)

// ForTask makes new material for the task with the given id, valid from now.
func ForTask(taskID string, now time.Time) (Material, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return Material{}, err
	}
	caTemplate, err := template(taskID, UnitCA, now)
	if err != nil {
		return Material{}, err
	}
	caTemplate.IsCA = true
	caTemplate.BasicConstraintsValid = true
	caTemplate.MaxPathLenZero = true
	caTemplate.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	caDER, err := x509.CreateCertificate(rand.Reader, caTemplate, caTemplate, &caKey.PublicKey, caKey)
	if err != nil {
		return Material{}, err
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return Material{}, err
	}
	m := Material{Passphrase: rand.Text(), CA: encode("CERTIFICATE", caDER)}
	for _, p := range []struct {
		unit string
		dst  *Pair
	}{{UnitSource, &m.Source}, {UnitTargetMgmt, &m.TargetMgmt}, {UnitTargetData, &m.TargetData}} {
		if *p.dst, err = leaf(taskID, p.unit, now, caCert, caKey); err != nil {
			return Material{}, err
		}
	}
	return m, nil
}

// leaf makes a pair for both ends of a TLS connection, signed by the CA.
func leaf(taskID, unit string, now time.Time, ca *x509.Certificate, caKey *ecdsa.PrivateKey) (Pair, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return Pair{}, err
	}
	tmpl, err := template(taskID, unit, now)
	if err != nil {
		return Pair{}, err
	}
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return Pair{}, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return Pair{}, err
	}
	return Pair{Cert: encode("CERTIFICATE", der), Key: encode("PRIVATE KEY", keyDER)}, nil
}

// template is a certificate naming the task and the role, with a random serial number.
func template(taskID, unit string, now time.Time) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, err
	}
	return &x509.Certificate{
		SerialNumber: serial,
		Subject: pkix.Name{
			Organization:       []string{"smslab"},
			OrganizationalUnit: []string{unit},
			CommonName:         taskID,
		},
		// A minute back, so that a peer whose clock is a little behind accepts it at once.
		NotBefore: now.Add(-time.Minute),
		NotAfter:  now.Add(Validity),
	}, nil
}

func encode(blockType string, der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: blockType, Bytes: der}))
}
