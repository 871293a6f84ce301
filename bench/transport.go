package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"
)

// transport sends a client's requests, one at a time, and reads each whole answer. It returns an
// error for a failure to talk to the server and for any answer that is not a 2xx.
type transport interface {
	do(req *request) error
	close()
}

// rawTransport speaks HTTP/1.1 over one kept-alive connection, as wrk does: the request is
// written with one system call from a reused buffer and the answer is parsed in place. The
// net/http client spends about as much CPU per request as the no-op server, which would halve the
// ceiling on a small machine; this one keeps the load generator out of the way.
type rawTransport struct {
	addr    string
	timeout time.Duration // for each request, from writing it to reading the whole answer
	conn    net.Conn
	r       *bufio.Reader
	buf     []byte
}

func newRawTransport(addr string) transport {
	return &rawTransport{addr: addr, timeout: requestTimeout, buf: make([]byte, 0, 1024)}
}

func (t *rawTransport) close() {
	if t.conn != nil {
		t.conn.Close()
		t.conn = nil
	}
}

func (t *rawTransport) do(req *request) error {
	if t.conn == nil {
		c, err := net.DialTimeout("tcp", t.addr, 5*time.Second)
		if err != nil {
			return err
		}
		t.conn = c
		if t.r == nil {
			t.r = bufio.NewReaderSize(c, 64<<10)
		} else {
			t.r.Reset(c)
		}
	}
	b := t.buf[:0]
	b = append(b, req.method...)
	b = append(b, ' ')
	b = append(b, req.target...)
	b = append(b, " HTTP/1.1\r\nHost: "...)
	b = append(b, t.addr...)
	b = append(b, "\r\n"...)
	b = append(b, req.token[0]...)
	b = append(b, ": "...)
	b = append(b, req.token[1]...)
	b = append(b, "\r\n"...)
	if req.method != http.MethodGet {
		b = append(b, "Content-Type: application/json\r\nContent-Length: "...)
		b = strconv.AppendInt(b, int64(len(req.body)), 10)
		b = append(b, "\r\n"...)
	}
	b = append(b, "\r\n"...)
	b = append(b, req.body...)
	t.buf = b
	// A request the server never answers is an error, not a silence that stalls the run.
	if err := t.conn.SetDeadline(time.Now().Add(t.timeout)); err != nil {
		t.close()
		return err
	}
	if _, err := t.conn.Write(b); err != nil {
		t.close()
		return err
	}
	err := t.readResponse()
	if err != nil {
		var status *statusError
		if !errors.As(err, &status) {
			t.close()
		}
	}
	return err
}

// requestTimeout is how long a request may take, from writing it to reading the whole answer.
const requestTimeout = 10 * time.Second

// statusError is an answer that is not a 2xx.
type statusError struct {
	code int
	body []byte
}

func (e *statusError) Error() string { return fmt.Sprintf("status %d: %s", e.code, e.body) }

var errMalformed = errors.New("malformed HTTP answer")

// readResponse reads one answer: status line, headers, then a body delimited by Content-Length
// or chunked encoding, which is what Go's HTTP server sends.
func (t *rawTransport) readResponse() error {
	line, err := t.r.ReadSlice('\n')
	if err != nil {
		return err
	}
	// HTTP/1.1 200 OK
	if len(line) < 13 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' || (line[12] != ' ' && line[12] != '\r') {
		return fmt.Errorf("%w: status line %q", errMalformed, line)
	}
	code, err := strconv.Atoi(string(line[9:12]))
	if err != nil || code < 200 { // a 1xx would come before the answer; no request here asks for one
		return fmt.Errorf("%w: status line %q", errMalformed, line)
	}
	// An HTTP/1.0 answer ends its connection unless it says otherwise; no server here sends one.
	length, chunked, closing := int64(-1), false, line[7] == '0'
	for {
		line, err := t.r.ReadSlice('\n')
		if err != nil {
			return err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return fmt.Errorf("%w: header %q", errMalformed, line)
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.ParseInt(string(value), 10, 64); err != nil {
				return fmt.Errorf("%w: Content-Length %q", errMalformed, value)
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(value, []byte("chunked"))
		case bytes.EqualFold(name, []byte("Connection")):
			closing = bytes.EqualFold(value, []byte("close"))
		}
	}
	var body []byte
	keep := func(n int64) error {
		if code/100 == 2 || len(body) >= 200 {
			_, err := t.r.Discard(int(n))
			return err
		}
		part := make([]byte, n)
		if _, err := io.ReadFull(t.r, part); err != nil {
			return err
		}
		body = append(body, part[:min(int(n), 200-len(body))]...)
		return nil
	}
	switch {
	case code == http.StatusNoContent || code == http.StatusNotModified:
		// no body, whatever the headers say
	case chunked:
		for {
			line, err := t.r.ReadSlice('\n')
			if err != nil {
				return err
			}
			size, _, _ := bytes.Cut(bytes.TrimRight(line, "\r\n"), []byte(";"))
			n, err := strconv.ParseInt(string(size), 16, 64)
			if err != nil {
				return fmt.Errorf("%w: chunk size %q", errMalformed, line)
			}
			if n == 0 {
				break
			}
			if err := keep(n); err != nil {
				return err
			}
			crlf, err := t.r.Peek(2) // the CRLF after the chunk
			if err != nil {
				return err
			}
			if string(crlf) != "\r\n" {
				return fmt.Errorf("%w: %q after a chunk", errMalformed, crlf)
			}
			t.r.Discard(2)
		}
		for { // trailers, up to the empty line
			line, err := t.r.ReadSlice('\n')
			if err != nil {
				return err
			}
			if len(bytes.TrimRight(line, "\r\n")) == 0 {
				break
			}
		}
	case length >= 0:
		if err := keep(length); err != nil {
			return err
		}
	default:
		return fmt.Errorf("%w: no Content-Length and not chunked", errMalformed)
	}
	if closing {
		t.close()
	}
	if code/100 != 2 {
		return &statusError{code, body}
	}
	return nil
}

// netHTTPTransport sends requests with Go's own client, for comparison with the raw one.
type netHTTPTransport struct {
	addr   string
	client *http.Client
}

func newNetHTTPTransport(addr string) transport {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 1,
		DisableCompression:  true,
		ReadBufferSize:      64 << 10,
	}
	return &netHTTPTransport{addr: addr, client: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

func (t *netHTTPTransport) close() { t.client.CloseIdleConnections() }

func (t *netHTTPTransport) do(req *request) error {
	var body io.Reader
	if req.method != http.MethodGet {
		// The request is reused once do returns, and the transport may read the body later.
		body = bytes.NewReader(bytes.Clone(req.body))
	}
	r, err := http.NewRequest(req.method, "http://"+t.addr+req.target, body)
	if err != nil {
		return err
	}
	r.Header.Set(req.token[0], req.token[1])
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	resp, err := t.client.Do(r)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
		return &statusError{resp.StatusCode, b}
	}
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}
