package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"dropship/integrations/suppliers/sandbox"
)

func TestSandboxCommandPrintsWhatItServes(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- runSandbox(ctx, t.TempDir(), []string{"--code", "globex", "--skus", "12", "--ftp", "", "--json"}, pw)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("no info line: %v", err)
	}
	go io.Copy(io.Discard, pr)
	var in sandbox.Info
	if err := json.Unmarshal([]byte(line), &in); err != nil {
		t.Fatalf("info %q: %v", line, err)
	}
	if in.Code != "globex" || in.SKUs != 12 || in.FTPAddr != "" || in.SFTPAddr == "" || !strings.HasPrefix(in.SFTPHostKey, "SHA256:") ||
		in.Token != "tok_globex" || in.User != "globex" || !strings.HasSuffix(in.Dir, ".data/sandbox/globex") {
		t.Fatalf("info %+v", in)
	}
	resp, err := http.Get(in.CSVURL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || strings.Count(string(body), "\nGLOBEX-") != 12 {
		t.Fatalf("CSV feed %d: %s", resp.StatusCode, body)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("sandbox ended with %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("sandbox did not stop when cancelled")
	}
}

func TestSandboxCommandRefusesBadFlags(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"--skus", "0"},
		{"--webhook-url", "http://127.0.0.1:9", "--webhook-secret", "whsec_%%%"},
		{"stray"},
	} {
		if err := runSandbox(context.Background(), t.TempDir(), append(args, "--http", "", "--sftp", "", "--ftp", ""), io.Discard); err == nil {
			t.Errorf("%v: accepted", args)
		}
	}
}
