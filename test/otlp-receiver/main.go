// otlp-receiver: a small OTLP trace receiver for the tests. It serves OTLP/HTTP (POST /v1/traces,
// application/x-protobuf or application/json) and OTLP/gRPC (TraceService/Export), decodes every request
// with the OpenTelemetry Collector's pdata (the collector's own OTLP model and codecs) and appends one JSON
// line per span to the -out file. It listens on loopback only.
package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"sync"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
)

type spanLine struct {
	Service      string         `json:"service"`
	Scope        string         `json:"scope"`
	TraceID      string         `json:"traceId"`
	SpanID       string         `json:"spanId"`
	ParentSpanID string         `json:"parentSpanId"`
	Name         string         `json:"name"`
	Kind         string         `json:"kind"`
	StartNs      uint64         `json:"startNs"`
	EndNs        uint64         `json:"endNs"`
	Status       string         `json:"status"`
	Attributes   map[string]any `json:"attributes"`
	Links        []string       `json:"links"`
}

type sink struct {
	mu  sync.Mutex
	out *os.File
}

func (s *sink) write(td ptrace.Traces) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		service := ""
		if v, ok := rs.Resource().Attributes().Get("service.name"); ok {
			service = v.AsString()
		}
		sss := rs.ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			ss := sss.At(j)
			spans := ss.Spans()
			for k := 0; k < spans.Len(); k++ {
				sp := spans.At(k)
				parent := ""
				if !sp.ParentSpanID().IsEmpty() {
					id := sp.ParentSpanID()
					parent = hex.EncodeToString(id[:])
				}
				tid := sp.TraceID()
				sid := sp.SpanID()
				links := []string{}
				for l := 0; l < sp.Links().Len(); l++ {
					ln := sp.Links().At(l)
					lt, ls := ln.TraceID(), ln.SpanID()
					links = append(links, hex.EncodeToString(lt[:])+"-"+hex.EncodeToString(ls[:]))
				}
				line := spanLine{
					Service: service, Scope: ss.Scope().Name(),
					TraceID: hex.EncodeToString(tid[:]), SpanID: hex.EncodeToString(sid[:]), ParentSpanID: parent,
					Name: sp.Name(), Kind: sp.Kind().String(),
					StartNs: uint64(sp.StartTimestamp()), EndNs: uint64(sp.EndTimestamp()),
					Status: sp.Status().Code().String(), Attributes: sp.Attributes().AsRaw(), Links: links,
				}
				b, err := json.Marshal(line)
				if err != nil {
					return err
				}
				if _, err := s.out.Write(append(b, '\n')); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

type grpcServer struct {
	ptraceotlp.UnimplementedGRPCServer
	sink *sink
}

func (g *grpcServer) Export(_ context.Context, req ptraceotlp.ExportRequest) (ptraceotlp.ExportResponse, error) {
	return ptraceotlp.NewExportResponse(), g.sink.write(req.Traces())
}

func main() {
	httpAddr := flag.String("http", "127.0.0.1:4318", "OTLP/HTTP listen address")
	grpcAddr := flag.String("grpc", "", "OTLP/gRPC listen address (none when empty)")
	outPath := flag.String("out", "spans.jsonl", "file the spans are appended to, one JSON object a line")
	flag.Parse()

	out, err := os.OpenFile(*outPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		log.Fatal(err)
	}
	s := &sink{out: out}

	if *grpcAddr != "" {
		lis, err := net.Listen("tcp", *grpcAddr)
		if err != nil {
			log.Fatal(err)
		}
		srv := grpc.NewServer()
		ptraceotlp.RegisterGRPCServer(srv, &grpcServer{sink: s})
		go func() { log.Fatal(srv.Serve(lis)) }()
	}

	mux := http.NewServeMux()
	mux.HandleFunc("/v1/traces", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		req := ptraceotlp.NewExportRequest()
		json := r.Header.Get("Content-Type") == "application/json"
		if json {
			err = req.UnmarshalJSON(body)
		} else {
			err = req.UnmarshalProto(body)
		}
		if err != nil {
			http.Error(w, "cannot decode OTLP request: "+err.Error(), http.StatusBadRequest)
			return
		}
		if err := s.write(req.Traces()); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		resp := ptraceotlp.NewExportResponse()
		var payload []byte
		if json {
			payload, err = resp.MarshalJSON()
			w.Header().Set("Content-Type", "application/json")
		} else {
			payload, err = resp.MarshalProto()
			w.Header().Set("Content-Type", "application/x-protobuf")
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		_, _ = w.Write(payload)
	})
	lis, err := net.Listen("tcp", *httpAddr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("otlp-receiver listening http=%s grpc=%s out=%s\n", lis.Addr(), *grpcAddr, *outPath)
	log.Fatal(http.Serve(lis, mux))
}
