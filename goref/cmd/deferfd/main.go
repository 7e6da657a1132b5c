// Command deferfd is article A's file-descriptor experiment (claims A9,
// A10): open N files, defer each one's Close, read one of them chosen at
// random, and return, so that all N deferred closes run. The defer sits in a
// loop, so every record is a heap record (deferproc) and all N wait for the
// function's return.
//
// -mode plain is the floor: the same opens, the same read, then a loop of
// closes with no defer machinery.
//
// The files are dir/000000, dir/000001, ... and must exist (the caller
// makes them before timing). On success it prints one JSON line: the
// seconds spent in the function, and the process's VmPeak and VmHWM
// (peak virtual size and peak RSS) from /proc/self/status after it returned.
// A failed open stops the loop; the files already open are closed (by their
// defers), and the JSON line says how many were opened and why it stopped,
// with exit status 1. Go's runtime has already raised the soft
// RLIMIT_NOFILE to the hard limit at start-up.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

type result struct {
	Mode        string  `json:"mode"`
	Files       int     `json:"files"`
	Opened      int     `json:"opened"`
	Read        int     `json:"read_bytes"`
	Seconds     float64 `json:"seconds"`
	VmPeakBytes int64   `json:"vm_peak_bytes"`
	VmHWMBytes  int64   `json:"vm_hwm_bytes"`
	Error       string  `json:"error,omitempty"`
}

func name(dir string, i int) string { return filepath.Join(dir, fmt.Sprintf("%06d", i)) }

// withDefers is the article's function.
func withDefers(dir string, n int, pick int, r *result) error {
	var chosen *os.File
	for i := 0; i < n; i++ {
		f, err := os.Open(name(dir, i))
		if err != nil {
			return err
		}
		r.Opened++
		defer f.Close()
		if i == pick {
			chosen = f
		}
	}
	return readOne(chosen, r)
}

// plain holds the same files open at once and closes them in a loop.
func plain(dir string, n int, pick int, r *result) error {
	files := make([]*os.File, 0, n)
	defer func() {
		for i := len(files) - 1; i >= 0; i-- {
			files[i].Close()
		}
	}()
	for i := 0; i < n; i++ {
		f, err := os.Open(name(dir, i))
		if err != nil {
			return err
		}
		r.Opened++
		files = append(files, f)
	}
	return readOne(files[pick], r)
}

func readOne(f *os.File, r *result) error {
	var buf [64]byte
	k, err := f.Read(buf[:])
	r.Read = k
	if err != nil && k == 0 {
		return err
	}
	return nil
}

// statusBytes is a "Name:   N kB" field of /proc/self/status, in bytes.
func statusBytes(field string) int64 {
	text, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(text), "\n") {
		if strings.HasPrefix(line, field+":") {
			parts := strings.Fields(line)
			if v, err := strconv.ParseInt(parts[1], 10, 64); err == nil && len(parts) == 3 && parts[2] == "kB" {
				return v * 1024
			}
		}
	}
	return -1
}

func main() {
	dir := flag.String("dir", "", "folder holding the files 000000, 000001, ... (required)")
	n := flag.Int("n", 0, "how many files to open (at least 1)")
	mode := flag.String("mode", "defer", "defer (the article's program) or plain (the floor)")
	seed := flag.Int64("seed", 1, "seed for the file to read")
	flag.Parse()
	run := map[string]func(string, int, int, *result) error{"defer": withDefers, "plain": plain}[*mode]
	if *dir == "" || *n < 1 || run == nil {
		fmt.Fprintln(os.Stderr, "deferfd: needs -dir, -n >= 1 and -mode defer|plain")
		os.Exit(2)
	}
	r := result{Mode: *mode, Files: *n}
	pick := rand.New(rand.NewSource(*seed)).Intn(*n)
	start := time.Now()
	err := run(*dir, *n, pick, &r)
	r.Seconds = time.Since(start).Seconds()
	r.VmPeakBytes = statusBytes("VmPeak")
	r.VmHWMBytes = statusBytes("VmHWM")
	if err != nil {
		r.Error = err.Error()
	}
	json.NewEncoder(os.Stdout).Encode(r)
	if err != nil {
		os.Exit(1)
	}
}
