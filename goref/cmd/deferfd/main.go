// Command deferfd is article A's file-descriptor experiment (claims A9,
// A10): open N files, defer each one's Close, read one of them chosen at
// random, and return, so that all N deferred closes run. The defer sits in a
// loop, so every record is a heap record (deferproc) and all N wait for the
// function's return.
//
// -mode plain is the floor: the same opens, the same read, then a loop of
// closes with no defer machinery.
//
// Where RLIMIT_NOFILE keeps N real descriptors out of reach, two more modes
// measure the experiment's two halves at any N; their sum estimates the
// article's run (an estimate, said as one wherever it is shown):
//
// -mode nofd is the user-space half: the article's function with
// os.NewFile in place of os.Open, on descriptor numbers that are not open
// (see descriptorBase), so that N *os.File values, N deferred Close calls
// and their heap records exist and run as in the article, with no kernel
// file behind them. Go 1.19's NewFile asks fcntl(F_GETFL) whether the
// number is non-blocking (EBADF: it is taken as a blocking file, never
// registered with the poller), and the deferred Close calls close(2), which
// fails with EBADF; `defer f.Close()` drops that error, as the article's
// code drops every Close error. The "read one at random" is a Read of the
// chosen file: one read(2) that must fail with EBADF, which also proves the
// number was not open.
//
// -mode kernel is the kernel half: real files opened and closed with the
// system calls alone (openat, close), in batches of at most -batch files
// held open at once (below the limit), until N have been opened and
// closed. The names are built before the clock starts, so that the time is
// the system calls' (and Go's syscall entry), not user-space work that
// -mode nofd already counts.
//
// The files are dir/0, dir/1, ... and must exist (the caller makes them
// before timing); they are named as the C++ fd suite names its files, so that
// one set serves both suites. On success it prints one JSON line: the
// seconds spent in the function, and the process's VmPeak and VmHWM
// (peak virtual size and peak RSS) from /proc/self/status after it returned.
// A failed open stops the loop; the files already open are closed (by their
// defers), and the JSON line says how many were opened and why it stopped,
// with exit status 1. Go's runtime has already raised the soft
// RLIMIT_NOFILE to the hard limit at start-up.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

type result struct {
	Mode        string  `json:"mode"`
	Files       int     `json:"files"`
	Opened      int     `json:"opened"`
	Read        int     `json:"read_bytes"`
	Seconds     float64 `json:"seconds"`
	VmPeakBytes int64   `json:"vm_peak_bytes"`
	VmHWMBytes  int64   `json:"vm_hwm_bytes"`
	// -mode nofd: the first descriptor number used, and the read's error
	// (EBADF expected).
	Base      int    `json:"descriptor_base,omitempty"`
	ReadError string `json:"read_error,omitempty"`
	// -mode kernel: the most files held open at once.
	Batch int    `json:"batch,omitempty"`
	Error string `json:"error,omitempty"`
}

// config is what every mode reads; prepared before the clock starts.
type config struct {
	dir   string
	n     int
	pick  int
	base  int     // nofd: the first of N numbers that are not open
	names []*byte // kernel: the batch's file names, NUL-terminated
}

func name(dir string, i int) string { return filepath.Join(dir, fmt.Sprintf("%d", i)) }

// withDefers is the article's function.
func withDefers(c config, r *result) error {
	var chosen *os.File
	for i := 0; i < c.n; i++ {
		f, err := os.Open(name(c.dir, i))
		if err != nil {
			return err
		}
		r.Opened++
		defer f.Close()
		if i == c.pick {
			chosen = f
		}
	}
	return readOne(chosen, r)
}

// withDefersNoFD is withDefers with os.NewFile on numbers that are not open
// in place of os.Open: the same loop, names, File values, deferred closes
// and read.
func withDefersNoFD(c config, r *result) error {
	var chosen *os.File
	for i := 0; i < c.n; i++ {
		f := os.NewFile(uintptr(c.base+i), name(c.dir, i))
		r.Opened++
		defer f.Close()
		if i == c.pick {
			chosen = f
		}
	}
	var buf [64]byte
	k, err := chosen.Read(buf[:])
	r.Read = k
	if !errors.Is(err, syscall.EBADF) {
		return fmt.Errorf("read of descriptor %d: want EBADF (not open), got %d bytes, %v",
			c.base+c.pick, k, err)
	}
	r.ReadError = "EBADF"
	return nil
}

// kernelBatches opens and closes real files with the system calls alone,
// at most len(c.names) open at once, newest closed first, until c.n files
// have been opened and closed.
func kernelBatches(c config, r *result) error {
	fds := make([]int, 0, len(c.names))
	closeAll := func() {
		for j := len(fds) - 1; j >= 0; j-- {
			syscall.Close(fds[j])
		}
		fds = fds[:0]
	}
	defer closeAll()
	for r.Opened < c.n {
		for i := 0; i < len(c.names) && r.Opened < c.n; i++ {
			fd, _, errno := syscall.Syscall6(syscall.SYS_OPENAT, uintptr(atFDCWD),
				uintptr(unsafe.Pointer(c.names[i])), syscall.O_RDONLY|syscall.O_CLOEXEC, 0, 0, 0)
			if errno != 0 {
				return fmt.Errorf("open %s: %v", name(c.dir, i), errno)
			}
			fds = append(fds, int(fd))
			r.Opened++
		}
		closeAll()
	}
	return nil
}

// AT_FDCWD (syscall has no constant for it); a variable, so that Syscall6's
// unsigned word can hold it.
var atFDCWD = -100

// descriptorBase is the first of n descriptor numbers that are not open and
// cannot become open while this process runs: every number at or above the
// hard RLIMIT_NOFILE (the kernel hands out the lowest free number below the
// soft limit, which never exceeds the hard one, and refuses dup2 or F_DUPFD
// onto a number at or above it), and above any descriptor already open (one
// inherited from a parent with a higher limit could be). The numbers must
// fit the kernel's 32-bit descriptor argument.
func descriptorBase(n int) (int, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, fmt.Errorf("getrlimit: %v", err)
	}
	base := int(lim.Max)
	if lim.Max > math.MaxInt32 {
		base = math.MaxInt32
	}
	open, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return 0, fmt.Errorf("listing the open descriptors: %v", err)
	}
	for _, e := range open {
		if k, err := strconv.Atoi(e.Name()); err == nil && k >= base {
			base = k + 1
		}
	}
	if base+n-1 > math.MaxInt32 {
		return 0, fmt.Errorf("%d numbers from %d pass the largest descriptor number", n, base)
	}
	return base, nil
}

// plain holds the same files open at once and closes them in a loop.
func plain(c config, r *result) error {
	files := make([]*os.File, 0, c.n)
	defer func() {
		for i := len(files) - 1; i >= 0; i-- {
			files[i].Close()
		}
	}()
	for i := 0; i < c.n; i++ {
		f, err := os.Open(name(c.dir, i))
		if err != nil {
			return err
		}
		r.Opened++
		files = append(files, f)
	}
	return readOne(files[c.pick], r)
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

var modes = map[string]func(config, *result) error{
	"defer": withDefers, "plain": plain, "nofd": withDefersNoFD, "kernel": kernelBatches}

func main() {
	dir := flag.String("dir", "", "folder holding the files 000000, 000001, ... (required; "+
		"-mode nofd only names its files after it)")
	n := flag.Int("n", 0, "how many files to open (at least 1)")
	mode := flag.String("mode", "defer", "defer (the article's program), plain (the floor), "+
		"nofd (its user-space half: no descriptors) or kernel (its kernel half: open and "+
		"close in batches)")
	batch := flag.Int("batch", 0, "-mode kernel: the most files open at once, at most the "+
		"files in -dir (at least 1)")
	seed := flag.Int64("seed", 1, "seed for the file to read")
	flag.Parse()
	run := modes[*mode]
	if *dir == "" || *n < 1 || run == nil || (*mode == "kernel" && *batch < 1) {
		fmt.Fprintln(os.Stderr, "deferfd: needs -dir, -n >= 1, -mode defer|plain|nofd|kernel "+
			"and, with -mode kernel, -batch >= 1")
		os.Exit(2)
	}
	r := result{Mode: *mode, Files: *n}
	c := config{dir: *dir, n: *n, pick: rand.New(rand.NewSource(*seed)).Intn(*n)}
	var err error
	switch *mode {
	case "nofd":
		c.base, err = descriptorBase(*n)
		r.Base = c.base
	case "kernel":
		r.Batch = *batch
		if *batch > *n {
			r.Batch = *n
		}
		for i := 0; i < r.Batch && err == nil; i++ {
			var p *byte
			p, err = syscall.BytePtrFromString(name(*dir, i))
			c.names = append(c.names, p)
		}
	}
	start := time.Now()
	if err == nil {
		err = run(c, &r)
	}
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
