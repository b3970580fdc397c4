// Command go-ingress is the benchmark's Go peer of the hookline ingress, for the CRM provider only: the
// same contract on the wire, written the way a Go service would be, so scenario 1 can compare the real
// ingress with it on the same machine, load and broker.
//
//	POST /webhooks/crm
//	  raw body (at most 1 MiB, else 413), content-type application/json or +json (else 415)
//	  X-CRM-Signature: hex HMAC-SHA256 of the raw body, exactly one header, checked in constant time
//	    against every secret of WEBHOOK_SECRET_CRM (comma-separated, rotation)        401 otherwise
//	  body: valid UTF-8 JSON                                                            400 otherwise
//	  type "lead.created" with data.email                                               400 otherwise
//	    (the ingress quarantines such requests; the peer does not implement quarantine)
//	  one CloudEvents binary-mode record on TOPIC, produced with franz-go (acks=all, idempotent: its
//	  defaults), one ProduceSync per request (franz-go batches concurrent records per partition):
//	    key   = data.email, trimmed and lower-cased (the ingress's normalized email)
//	    value = the raw body (the ingress writes its canonical Lead instead, which is smaller)
//	    ce_specversion 1.0, ce_id = body id, ce_source /webhooks/crm, ce_type crm.<type>,
//	    ce_time and ce_receivedat = receive time, ce_subject = data.id, ce_deliveryid = body id,
//	    content-type application/json
//	  202 {"id":"<ce_id>","status":"accepted"} after the broker's ack; 503 KAFKA_UNAVAILABLE (with
//	  Retry-After) when the produce fails or takes longer than PRODUCE_DEADLINE_MS
//	GET /health/ready -> 200 once the broker answered a metadata request
//
// Environment: PORT, HOST (127.0.0.1), KAFKA_BROKERS, TOPIC, WEBHOOK_SECRET_CRM, PRODUCE_DEADLINE_MS
// (5000), LINGER_MS and COMPRESSION (none, gzip, snappy, lz4, zstd) (unset: franz-go's defaults, 10 ms
// and snappy; the ingress does not compress). Prints {"ready":PORT} when it is listening; stops on
// SIGTERM/SIGINT after the requests in flight are answered, and exits when its parent (the benchmark
// runner) is gone, as the runner's Node children do when their IPC channel closes.
package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/twmb/franz-go/pkg/kgo"
)

const (
	bodyLimit       = 1 << 20
	signatureHeader = "X-Crm-Signature"
	provider        = "crm"
)

var jsonType = regexp.MustCompile(`(?i)^application/([a-z0-9.+-]*\+)?json\b`)

type server struct {
	client   *kgo.Client
	topic    string
	deadline time.Duration
	macs     []*sync.Pool // one pool of HMAC-SHA256 states per secret
}

// crmWebhook is what the peer needs from the body; json.Unmarshal still checks the whole document.
type crmWebhook struct {
	ID   json.RawMessage `json:"id"`
	Type string          `json:"type"`
	Data struct {
		ID    json.RawMessage `json:"id"`
		Email string          `json:"email"`
	} `json:"data"`
}

func main() {
	log.SetFlags(0)
	port := envOr("PORT", "3000")
	host := envOr("HOST", "127.0.0.1")
	brokers := strings.Split(mustEnv("KAFKA_BROKERS"), ",")
	topic := mustEnv("TOPIC")
	deadlineMs, err := strconv.Atoi(envOr("PRODUCE_DEADLINE_MS", "5000"))
	if err != nil || deadlineMs <= 0 {
		log.Fatalf("PRODUCE_DEADLINE_MS must be a positive integer")
	}

	var macs []*sync.Pool
	for _, s := range strings.Split(mustEnv("WEBHOOK_SECRET_CRM"), ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		key := []byte(s)
		macs = append(macs, &sync.Pool{New: func() any { return hmac.New(sha256.New, key) }})
	}
	if len(macs) == 0 {
		log.Fatalf("WEBHOOK_SECRET_CRM is required")
	}

	opts := []kgo.Opt{kgo.SeedBrokers(brokers...), kgo.ClientID("bench-go-ingress")} // acks=all, idempotent: the defaults
	if v := os.Getenv("LINGER_MS"); v != "" {
		ms, err := strconv.Atoi(v)
		if err != nil || ms < 0 {
			log.Fatalf("LINGER_MS must be an integer >= 0")
		}
		opts = append(opts, kgo.ProducerLinger(time.Duration(ms)*time.Millisecond))
	}
	if v := os.Getenv("COMPRESSION"); v != "" {
		codecs := map[string]kgo.CompressionCodec{"none": kgo.NoCompression(), "gzip": kgo.GzipCompression(), "snappy": kgo.SnappyCompression(), "lz4": kgo.Lz4Compression(), "zstd": kgo.ZstdCompression()}
		codec, ok := codecs[v]
		if !ok {
			log.Fatalf("COMPRESSION must be none, gzip, snappy, lz4 or zstd")
		}
		opts = append(opts, kgo.ProducerBatchCompression(codec))
	}
	client, err := kgo.NewClient(opts...)
	if err != nil {
		log.Fatalf("kafka client: %v", err)
	}
	pingCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	err = client.Ping(pingCtx)
	cancel()
	if err != nil {
		log.Fatalf("kafka not reachable at %v: %v", brokers, err)
	}

	s := &server{client: client, topic: topic, deadline: time.Duration(deadlineMs) * time.Millisecond, macs: macs}
	mux := http.NewServeMux()
	mux.HandleFunc("/webhooks/{provider}", s.webhook)
	mux.HandleFunc("GET /health/ready", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"status":"ready"}`)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { fail(w, 404, "NOT_FOUND") })
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, MaxHeaderBytes: 64 << 10}
	ln, err := net.Listen("tcp", net.JoinHostPort(host, port))
	if err != nil {
		log.Fatalf("listen: %v", err)
	}

	go exitWithParent()
	stopped := make(chan struct{})
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
		<-sig
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		client.Close()
		close(stopped)
	}()
	fmt.Printf("{\"ready\":%s}\n", port)
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		log.Fatalf("serve: %v", err)
	}
	<-stopped
}

func (s *server) webhook(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		fail(w, 405, "METHOD_NOT_ALLOWED")
		return
	}
	if r.PathValue("provider") != provider {
		fail(w, 404, "UNKNOWN_PROVIDER")
		return
	}
	if !jsonType.MatchString(r.Header.Get("Content-Type")) {
		fail(w, 415, "UNSUPPORTED_MEDIA_TYPE")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, bodyLimit))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			fail(w, 413, "PAYLOAD_TOO_LARGE")
		} else {
			fail(w, 400, "BAD_REQUEST")
		}
		return
	}
	receivedAt := time.Now().UTC().Format("2006-01-02T15:04:05.000Z")

	given := r.Header.Values(signatureHeader)
	if len(given) == 0 {
		fail(w, 401, "SIGNATURE_MISSING")
		return
	}
	if len(given) != 1 || !s.verify(body, given[0]) {
		fail(w, 401, "SIGNATURE_INVALID")
		return
	}

	var hook crmWebhook
	if !utf8.Valid(body) || json.Unmarshal(body, &hook) != nil {
		fail(w, 400, "MALFORMED_JSON")
		return
	}
	id := scalar(hook.ID)
	email := strings.ToLower(strings.TrimSpace(hook.Data.Email))
	if id == "" || hook.Type != "lead.created" || email == "" {
		fail(w, 400, "BAD_REQUEST")
		return
	}

	headers := []kgo.RecordHeader{
		{Key: "ce_specversion", Value: []byte("1.0")},
		{Key: "ce_id", Value: []byte(id)},
		{Key: "ce_source", Value: []byte("/webhooks/" + provider)},
		{Key: "ce_type", Value: []byte(provider + "." + hook.Type)},
		{Key: "ce_time", Value: []byte(receivedAt)},
		{Key: "content-type", Value: []byte("application/json")},
	}
	if subject := scalar(hook.Data.ID); subject != "" {
		headers = append(headers, kgo.RecordHeader{Key: "ce_subject", Value: []byte(subject)})
	}
	headers = append(headers,
		kgo.RecordHeader{Key: "ce_receivedat", Value: []byte(receivedAt)},
		kgo.RecordHeader{Key: "ce_deliveryid", Value: []byte(id)},
	)
	rec := &kgo.Record{Topic: s.topic, Key: []byte(email), Value: body, Headers: headers}

	ctx, cancel := context.WithTimeout(r.Context(), s.deadline)
	err = s.client.ProduceSync(ctx, rec).FirstErr()
	cancel()
	if err != nil {
		w.Header().Set("Retry-After", "1")
		fail(w, 503, "KAFKA_UNAVAILABLE")
		return
	}
	out, _ := json.Marshal(struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}{id, "accepted"})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(202)
	_, _ = w.Write(out)
}

// verify: 64 hex digits (either case), compared in constant time with the HMAC under every secret.
func (s *server) verify(body []byte, given string) bool {
	if len(given) != 2*sha256.Size {
		return false
	}
	var want [sha256.Size]byte
	if _, err := hex.Decode(want[:], []byte(given)); err != nil {
		return false
	}
	ok := false
	var sum [sha256.Size]byte
	for _, pool := range s.macs {
		mac := pool.Get().(hash.Hash)
		mac.Reset()
		mac.Write(body)
		if hmac.Equal(mac.Sum(sum[:0]), want[:]) {
			ok = true
		}
		pool.Put(mac)
	}
	return ok
}

// scalar is a JSON string's value or a number's exact digits; "" for anything else.
func scalar(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return string(raw)
	}
	return ""
}

func fail(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, `{"error":{"code":%q,"message":%q}}`, code, http.StatusText(status))
}

func exitWithParent() {
	parent := os.Getppid()
	for range time.Tick(time.Second) {
		if os.Getppid() != parent {
			log.Printf("parent %d is gone: exiting", parent)
			os.Exit(2)
		}
	}
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func mustEnv(name string) string {
	v := os.Getenv(name)
	if v == "" {
		log.Fatalf("%s is required", name)
	}
	return v
}
